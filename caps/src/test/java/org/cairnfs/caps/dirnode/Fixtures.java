package org.cairnfs.caps.dirnode;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.cairnfs.caps.DirectoryWriteCap;
import org.cairnfs.caps.MutableWriteCap;

/** Shared inputs of the dirnode tests; caps are opaque strings here. */
final class Fixtures {
  static final Instant MTIME = Instant.ofEpochSecond(1_700_000_000L, 123_456_789);
  static final Instant CTIME = Instant.ofEpochSecond(1_700_000_001L, 987_654_321);

  private Fixtures() {}

  static DirectoryWriteCap directory(int seed) {
    byte[] w = new byte[32];
    byte[] f = new byte[32];
    w[0] = (byte) seed;
    f[0] = (byte) (seed + 100);
    return new DirectoryWriteCap(new MutableWriteCap(w, f));
  }

  static DirectoryEntry file(String name, String readCap) {
    return DirectoryEntry.of(EntryName.of(name), readCap, Optional.empty(),
        EntryMetadata.of(EntryKind.FILE, 1234, 0644, MTIME, CTIME));
  }

  static DirectoryEntry writableDir(ChildWriteCapKey key, String name, String readCap,
      String writeCap, SecureRandom random) {
    EntryName n = EntryName.of(name);
    return DirectoryEntry.of(n, readCap, Optional.of(key.seal(n, writeCap, random)),
        EntryMetadata.of(EntryKind.DIRECTORY, 0, 0755, MTIME, CTIME));
  }

  static DirectoryEntry symlink(String name, String target) {
    return DirectoryEntry.symlink(EntryName.of(name),
        EntryMetadata.symlink(target, 0777, MTIME, CTIME));
  }

  /** Every cut of a flat directory's bytes, and one byte more, fails to decode. */
  static void assertEveryTruncationAndATrailingByteRejected(byte[] ok) {
    for (int len = 0; len < ok.length; len++) {
      byte[] cut = Arrays.copyOf(ok, len);
      assertThatThrownBy(() -> DirectoryCodec.decode(cut)).as("length %d", len)
          .isInstanceOf(DirectoryFormatException.class);
    }
    assertThatThrownBy(() -> DirectoryCodec.decode(Arrays.copyOf(ok, ok.length + 1)))
        .hasMessageContaining("trailing");
  }

  /** A predictable SecureRandom for golden tests. */
  static final class FixedRandom extends SecureRandom {
    private int next;

    FixedRandom(int seed) {
      next = seed;
    }

    @Override
    public void nextBytes(byte[] bytes) {
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) next++;
      }
    }
  }
}
