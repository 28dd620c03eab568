package org.cairnfs.fs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.client.ClientFileSystem;
import org.cairnfs.fs.files.ChunkedFiles;
import org.cairnfs.fs.files.FilesConfig;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chunked file (manifest plus chunks) checked, verified and repaired with its verify cap, and
 * a deep check with repair and leases over a directory tree of the real client filesystem.
 */
class ChunkedHealthTest {
  static final int CHUNK = 64 << 10;
  @TempDir Path dir;
  TestGrid grid;
  GridClient client;
  ChunkedFiles files;
  GridHealth health;

  @BeforeEach
  void start() throws Exception {
    grid = new TestGrid(dir, 10);
    client = grid.client(ImmutableHealthTest.FAST);
    files = ChunkedFiles.create(client, FilesConfig.builder().chunkSize(CHUNK).build());
    health = GridHealth.create(client);
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  byte[] random(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  /** A server holding share {@code share} of {@code cap}'s file, and that share's file. */
  Path shareFile(ImmutableVerifyCap cap, int share) throws Exception {
    for (TestServer s : grid.servers()) {
      if (s.running() && s.shares(cap.index()).contains(share)) {
        return s.sharePath(cap.index(), share);
      }
    }
    throw new AssertionError("share " + share + " of " + cap.index() + " is nowhere");
  }

  @Test
  void everyChunkAndManifestNodeIsCheckedAndRepairedWithTheVerifyCap() throws Exception {
    byte[] data = random(4 * CHUNK + 1000, 3);
    Cap cap = files.upload(new ByteArrayInputStream(data)).get();
    assertThat(cap).isInstanceOf(ChunkedReadCap.class);
    String verifyCap = cap.verifyCap().orElseThrow().toString();

    HealthReport fresh = health.check(verifyCap, true).get();
    assertThat(fresh.healthy()).isTrue();
    assertThat(fresh.kind()).isEqualTo("chunked");
    assertThat(fresh.parts()).hasSize(6); // the root node and five chunks
    assertThat(fresh.parts().get(0).kind()).isEqualTo("manifest node");
    assertThat(fresh.parts().subList(1, 6)).allSatisfy(p -> {
      assertThat(p.kind()).isEqualTo("chunk");
      assertThat(p.healthy()).isTrue();
    });

    List<ImmutableVerifyCap> parts = new ArrayList<>();
    for (HealthReport p : fresh.parts()) {
      parts.add((ImmutableVerifyCap) Cap.parse(p.cap()));
    }
    Path chunkShare = shareFile(parts.get(2), 1);
    Damage.flip(chunkShare, Damage.size(chunkShare) - 3);
    Files.delete(shareFile(parts.get(4), 7));
    Files.delete(shareFile(parts.get(0), 0)); // the manifest's root node

    HealthReport damaged = health.check(verifyCap, true).get();
    assertThat(damaged.healthy()).isFalse();
    assertThat(damaged.recoverable()).isTrue();
    assertThat(damaged.unhealthyParts()).extracting(HealthReport::cap).containsExactly(
        parts.get(0).toString(), parts.get(2).toString(), parts.get(4).toString());
    assertThat(damaged.parts().get(0).missingShares()).containsExactly(0);
    assertThat(damaged.parts().get(2).corruptShares()).containsExactly(1);
    assertThat(damaged.parts().get(4).missingShares()).containsExactly(7);
    assertThat(damaged.format()).contains("not healthy", "corrupt", "missing",
        "manifest node", "chunk");

    HealthReport repaired = health.repair(verifyCap).get();
    assertThat(repaired.healthy()).isTrue();
    assertThat(repaired.repaired()).isTrue();

    HealthReport after = health.check(cap.toString(), true).get();
    assertThat(after.healthy()).isTrue();
    assertThat(after.parts()).allSatisfy(p -> assertThat(p.goodShares()).hasSize(10));
    assertThat(files.read(cap, 0, data.length).get()).isEqualTo(data);
  }

  @Test
  void deepCheckRepairsATreeAndRenewsLeasesOnEveryObject() throws Exception {
    ClientFileSystem fs = ClientFileSystem.create(client);
    String root = fs.createDirectory().get();
    String sub = fs.createDirectory().get();
    String small = fs.upload(new ByteArrayInputStream(random(20_000, 1))).get();
    String big = fs.upload(new ByteArrayInputStream(random(300_000, 2))).get();
    String tiny = fs.upload(new ByteArrayInputStream("tiny".getBytes())).get();
    Instant now = Instant.now();
    NodeMetadata file = NodeMetadata.of(EntryKind.FILE, 1, 0644, now, now);
    NodeMetadata folder = NodeMetadata.of(EntryKind.DIRECTORY, 0, 0755, now, now);
    fs.applyChanges(root, List.of(new EntryChange.Put("small", Optional.of(small), file),
        new EntryChange.Put("sub", Optional.of(sub), folder),
        new EntryChange.Put("tiny", Optional.of(tiny), file))).get();
    fs.applyChanges(sub, List.of(new EntryChange.Put("big", Optional.of(big), file),
        new EntryChange.Put("again", Optional.of(small), file),
        new EntryChange.Put("up", Optional.of(root), folder))).get();

    ImmutableVerifyCap smallCap = (ImmutableVerifyCap) Cap.parse(small).verifyCap().get();
    Files.delete(shareFile(smallCap, 2));

    List<HealthReport> seen = new ArrayList<>();
    DeepCheckSummary checked = health.deepCheck(fs, root, false, false, seen::add).get();
    assertThat(checked.objects()).isEqualTo(5); // root, small, sub, tiny, big
    assertThat(checked.unhealthy()).isEqualTo(1);
    assertThat(checked.repaired()).isZero();
    assertThat(seen).filteredOn(r -> !r.healthy()).singleElement()
        .satisfies(r -> assertThat(r.missingShares()).containsExactly(2));
    assertThat(seen).extracting(HealthReport::cap).doesNotContain(root, sub);

    seen.clear();
    DeepCheckSummary repaired = health.deepCheck(fs, root, true, true, true, seen::add).get();
    assertThat(repaired.objects()).isEqualTo(5);
    assertThat(repaired.repaired()).isEqualTo(1);
    assertThat(repaired.unhealthy()).isZero();
    assertThat(repaired.healthy()).isEqualTo(5);
    assertThat(repaired.format()).contains("5 objects checked", "1 repaired");
    assertThat(seen).filteredOn(r -> !r.kind().equals("literal"))
        .allSatisfy(r -> assertThat(r.leasesRenewed()).isPositive());

    DeepCheckSummary after = health.deepCheck(fs, root, true, false, r -> { }).get();
    assertThat(after.healthy()).isEqualTo(5);
  }

  @Test
  void deepCheckReachesThePagesOfAPagedDirectoryRepairsOneAndLeasesThemAll() throws Exception {
    ClientFileSystem fs = ClientFileSystem.create(client);
    String root = fs.createDirectory().get();
    String paged = fs.createDirectory().get();
    Instant now = Instant.now();
    NodeMetadata folder = NodeMetadata.of(EntryKind.DIRECTORY, 0, 0755, now, now);
    List<EntryChange> entries = new ArrayList<>();
    for (int i = 0; i < 800; i++) { // literal caps: the pages are the only stored objects below
      String tiny = fs.upload(new ByteArrayInputStream(("file " + i).getBytes())).get();
      entries.add(new EntryChange.Put(String.format("entry-%04d", i), Optional.of(tiny),
          NodeMetadata.of(EntryKind.FILE, 8, 0644, now, now)));
    }
    fs.applyChanges(paged, entries).get();
    fs.applyChanges(root, List.of(new EntryChange.Put("paged", Optional.of(paged), folder)))
        .get();
    List<HealthReport> pages = health.check(paged, false).get().parts();
    assertThat(pages).hasSizeGreaterThan(1)
        .allSatisfy(p -> assertThat(p.kind()).isEqualTo("directory page"));
    ImmutableVerifyCap page = (ImmutableVerifyCap) Cap.parse(pages.get(0).cap());
    Files.delete(shareFile(page, 4));

    List<HealthReport> seen = new ArrayList<>();
    DeepCheckSummary checked = health.deepCheck(fs, root, false, false, seen::add).get();
    assertThat(checked.unhealthy()).isEqualTo(1);
    assertThat(seen).filteredOn(r -> !r.healthy()).singleElement()
        .satisfies(r -> assertThat(r.unhealthyParts()).singleElement().satisfies(p -> {
          assertThat(p.cap()).isEqualTo(page.toString());
          assertThat(p.missingShares()).containsExactly(4);
        }));

    seen.clear();
    DeepCheckSummary repaired = health.deepCheck(fs, root, true, true, true, seen::add).get();
    assertThat(repaired.repaired()).isEqualTo(1);
    // Seen once in CI (ci62) as 1 without a known cause: the failure shows the reports.
    assertThat(repaired.unhealthy()).as(() -> "unhealthy after repair:\n" + seen.stream()
        .filter(r -> !r.healthy()).map(HealthReport::format).toList()).isZero();
    HealthReport dir = seen.stream().filter(r -> r.kind().equals("directory")
        && !r.parts().isEmpty()).findFirst().orElseThrow();
    // Every page's lease renewed on every server; the repaired page's new share was leased by
    // its upload, so its renewals count the 9 servers that held a share before.
    assertThat(dir.parts()).hasSameSizeAs(pages).allSatisfy(p -> assertThat(p.leasesRenewed())
        .isEqualTo(p.cap().equals(page.toString()) ? 9 : 10));
    assertThat(dir.parts()).filteredOn(HealthReport::repaired).singleElement()
        .satisfies(p -> assertThat(p.cap()).isEqualTo(page.toString()));
    assertThat(dir.leasesRenewed()).isEqualTo(10 * (1 + pages.size()) - 1);
    assertThat(health.deepCheck(fs, root, true, false, r -> { }).get().unhealthy()).isZero();
    assertThat(fs.list(paged).get()).hasSize(800);
  }
}
