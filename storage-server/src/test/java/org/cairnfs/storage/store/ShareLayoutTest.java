package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.share.ShareKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a directory walk of the store sees: sorted, and junk a walk must never take for data. */
class ShareLayoutTest {
  @TempDir Path dir;

  static StorageIndex index(int seed) {
    byte[] b = new byte[16];
    new Random(seed).nextBytes(b);
    return StorageIndex.of(b);
  }

  /** Indexes of a few shared prefixes (a prefix is the first 10 bits), so walks see several per directory. */
  static StorageIndex crowded(int seed) {
    byte[] b = new byte[16];
    new Random(seed).nextBytes(b);
    b[0] = (byte) (seed % 3 * 8);
    b[1] = (byte) (b[1] & 0x3f);
    return StorageIndex.of(b);
  }

  @Test
  void aMissingStoreHasNothing() throws Exception {
    ShareLayout layout = new ShareLayout(dir.resolve("none"));
    assertThat(layout.prefixDirs()).isEmpty();
    assertThat(layout.indexesUnder(dir.resolve("none/aa"))).isEmpty();
    assertThat(layout.sharesOf(index(1))).isEmpty();
  }

  @Test
  void walksAreSortedAndSkipJunk() throws Exception {
    ShareLayout layout = new ShareLayout(dir);
    List<StorageIndex> indexes = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      StorageIndex si = i % 2 == 0 ? crowded(i) : index(i);
      indexes.add(si);
      Files.createDirectories(layout.indexDir(si));
    }
    Path shares = layout.sharesDir();
    for (String junk : new String[] {"AB", "a1", "a8", "a{", "`a", "a", "abc", "incoming"}) {
      Files.createDirectories(shares.resolve(junk));
    }
    Files.writeString(shares.resolve("zz"), "a file, not a prefix dir");
    List<Path> prefixes = layout.prefixDirs();
    assertThat(prefixes).isSorted().doesNotHaveDuplicates()
        .allMatch(p -> p.getFileName().toString().matches("[a-z2-7]{2}"))
        .noneMatch(p -> p.getFileName().toString().equals("zz"));
    List<StorageIndex> seen = new ArrayList<>();
    for (Path prefix : prefixes) {
      List<StorageIndex> under = layout.indexesUnder(prefix);
      assertThat(under).isSorted().allMatch(si -> si.toString().startsWith(
          prefix.getFileName().toString()));
      seen.addAll(under);
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(indexes);
    assertThat(seen.stream().map(StorageIndex::toString).map(t -> t.substring(0, 2)).toList())
        .isSorted();
  }

  @Test
  void anIndexUnderTheWrongPrefixOrWithBadCharactersIsSkipped() throws Exception {
    ShareLayout layout = new ShareLayout(dir);
    StorageIndex si = index(7);
    String text = si.toString();
    String otherPrefix = text.startsWith("aa") ? "bb" : "aa";
    Path prefix = Files.createDirectories(layout.sharesDir().resolve(otherPrefix));
    Files.createDirectories(prefix.resolve(text));
    Files.createDirectories(prefix.resolve(otherPrefix + text.substring(2, 25).toUpperCase() + "a"));
    Files.createDirectories(prefix.resolve(otherPrefix + "1".repeat(24)));
    Files.createDirectories(prefix.resolve(otherPrefix + "8".repeat(24)));
    Files.createDirectories(prefix.resolve(otherPrefix + "{".repeat(24)));
    Files.createDirectories(prefix.resolve(otherPrefix + "a".repeat(25)));
    assertThat(layout.indexesUnder(prefix)).isEmpty();
    assertThat(ShareLayout.parseIndex(text)).contains(si);
    assertThat(ShareLayout.parseIndex(text.toUpperCase())).isEmpty();
  }

  @Test
  void sharesOfAreSortedByFileNameAndStrayFilesSkipped() throws Exception {
    ShareLayout layout = new ShareLayout(dir);
    StorageIndex si = index(3);
    Path d = Files.createDirectories(layout.indexDir(si));
    int[] numbers = {200, 7, 31, 0, 255, 12, 9, 100, 64, 3};
    for (int n : numbers) {
      Files.createFile(d.resolve(Integer.toString(n)));
      Files.createFile(d.resolve("m" + n));
    }
    Files.createFile(d.resolve("7.1.up"));
    Files.createFile(d.resolve("07"));
    List<ShareKey> keys = layout.sharesOf(si);
    assertThat(keys).hasSize(2 * numbers.length);
    assertThat(keys.stream().map(ShareKey::fileName).toList()).isSorted();
    assertThat(keys).contains(ShareKey.immutable(si, 255), ShareKey.mutable(si, 0));
  }
}
