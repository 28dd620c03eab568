package org.cairnfs.fs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.PermutedRing;
import org.cairnfs.fs.grid.UploadResult;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.identity.NodeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edges of an immutable file's check: copies that are there but cannot count (a number not
 * below n, a wrong length), a server that fails mid-read, and leases where nothing is held.
 */
class ImmutableHealthEdgesTest {
  @TempDir Path dir;
  TestGrid grid;
  GridClient client;
  GridHealth health;
  ImmutableReadCap cap;
  StorageIndex si;
  Map<Integer, List<NodeId>> placement;

  @BeforeEach
  void upload() throws Exception {
    grid = new TestGrid(dir, 10);
    client = grid.client(ImmutableHealthTest.FAST);
    health = GridHealth.create(client);
    byte[] data = new byte[30_000];
    new Random(7).nextBytes(data);
    UploadResult r = client.upload(PlaintextSource.of(data)).get();
    cap = (ImmutableReadCap) r.cap();
    si = cap.index();
    placement = r.placement();
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  TestServer holder(int share) {
    return grid.byId(placement.get(share).get(0));
  }

  Path shareFile(int share) {
    return holder(share).sharePath(si, share);
  }

  ShareReport only(HealthReport r, int number) {
    return r.shares().stream().filter(s -> s.number() == number).reduce((a, b) -> {
      throw new AssertionError("two copies of share " + number + ": " + r.format());
    }).orElseThrow();
  }

  /** A copy stored under share number n (or above) is no share of this file, even if whole. */
  @Test
  void aCopyNumberedNIsCorruptAndNeverCountsAsGood() throws Exception {
    Files.copy(shareFile(0), holder(0).sharePath(si, 10));
    for (boolean verify : List.of(false, true)) {
      HealthReport r = health.check(cap.toString(), verify).get();
      assertThat(only(r, 10)).satisfies(s -> {
        assertThat(s.status()).isEqualTo(ShareReport.Status.CORRUPT);
        assertThat(s.reason()).isEqualTo("share number is not below n=10");
        assertThat(s.server()).isEqualTo(client.servers().describe(holder(0).nodeId()));
      });
      assertThat(r.healthy()).as("verify=%s", verify).isTrue();
      assertThat(r.found()).isEqualTo(10);
      assertThat(r.corruptShares()).containsExactly(10);
    }
  }

  /** A share with a byte too many passes the front check but is not this file's share. */
  @Test
  void aShareOfTheWrongLengthIsCorrupt() throws Exception {
    long size = Damage.size(shareFile(3));
    Files.write(shareFile(3), new byte[] {1}, StandardOpenOption.APPEND);
    HealthReport r = health.check(cap.toString(), false).get();
    assertThat(r.healthy()).isFalse();
    assertThat(r.recoverable()).isTrue();
    assertThat(r.corruptShares()).containsExactly(3);
    assertThat(r.found()).isEqualTo(9);
    assertThat(only(r, 3).reason()).contains("a share of this file is");
  }

  /** A server that fails mid-read has shown no bad share: its copy is missing, not corrupt. */
  @Test
  void aServerThatFailsReadsHoldsAMissingCopyNotACorruptOne() throws Exception {
    holder(4).faults().failReads(true);
    HealthReport r = health.check(cap.toString(), false).get();
    assertThat(r.healthy()).isFalse();
    assertThat(r.corruptShares()).isEmpty();
    assertThat(r.missingShares()).containsExactly(4);
    assertThat(only(r, 4)).satisfies(s -> {
      assertThat(s.server()).isEqualTo(client.servers().describe(holder(4).nodeId()));
      assertThat(s.reason()).startsWith("read failed");
    });
  }

  /** Leases go only to servers holding a share; one that holds nothing is not asked. */
  @Test
  void aServerHoldingNothingIsNotAskedForALease() throws Exception {
    Files.delete(shareFile(2));
    HealthReport r = health.check(cap.toString(), false, true).get();
    assertThat(r.leasesRenewed()).isEqualTo(9);
    assertThat(r.notes()).noneMatch(n -> n.contains("lease"));
    assertThat(r.missingShares()).containsExactly(2);
    // the share found nowhere is listed in its place, not after the others
    assertThat(r.shares()).extracting(ShareReport::number).isSorted();
  }

  /** Moves share {@code share} onto {@code to}, off the server that held it. */
  void move(int share, TestServer to) throws Exception {
    Files.copy(shareFile(share), to.sharePath(si, share));
    Files.delete(shareFile(share));
  }

  /**
   * Every share present on exactly happy (7) servers is healthy; on one server fewer it is
   * not, and the notes say why. With a share missing as well, that is the news: no such note.
   */
  @Test
  void happinessIsCountedAgainstTheWantedNumberOfServersExactly() throws Exception {
    TestServer crowded = holder(0);
    for (int share = 7; share < 10; share++) {
      move(share, crowded);
    }
    HealthReport seven = health.check(cap.toString(), false).get();
    assertThat(seven.happiness()).isEqualTo(7);
    assertThat(seven.happy()).isEqualTo(7);
    assertThat(seven.healthy()).isTrue();
    assertThat(seven.notes()).isEmpty();

    move(6, crowded);
    HealthReport six = health.check(cap.toString(), false).get();
    assertThat(six.found()).isEqualTo(10);
    assertThat(six.happiness()).isEqualTo(6);
    assertThat(six.healthy()).isFalse();
    assertThat(six.recoverable()).isTrue();
    assertThat(six.notes()).singleElement().satisfies(n -> assertThat(n)
        .contains("too few distinct servers", "happiness 6, want 7"));

    Files.delete(crowded.sharePath(si, 9));
    HealthReport missing = health.check(cap.toString(), false).get();
    assertThat(missing.found()).isEqualTo(9);
    assertThat(missing.happiness()).isEqualTo(6);
    assertThat(missing.notes()).isEmpty();
  }

  /** Exactly k good shares: recoverable, and enough for a repair to rebuild all the others. */
  @Test
  void exactlyKGoodSharesAreEnoughToRepair() throws Exception {
    for (int share = 3; share < 10; share++) {
      Files.delete(shareFile(share));
    }
    HealthReport checked = health.check(cap.toString(), false).get();
    assertThat(checked.found()).isEqualTo(3);
    assertThat(checked.recoverable()).isTrue();
    assertThat(checked.format()).contains("not healthy (recoverable)");
    HealthReport repaired = health.repair(cap.toString()).get();
    assertThat(repaired.notes()).noneMatch(n -> n.contains("cannot repair"));
    assertThat(repaired.healthy()).isTrue();
    assertThat(repaired.shares()).filteredOn(ShareReport::repaired).hasSize(7);
  }

  /** A repair of a healthy file changes nothing and has nothing to say. */
  @Test
  void aHealthyFileIsLeftAloneByRepair() throws Exception {
    HealthReport r = health.repair(cap.toString()).get();
    assertThat(r.healthy()).isTrue();
    assertThat(r.repaired()).isFalse();
    assertThat(r.notes()).isEmpty();
    assertThat(r.shares()).hasSize(10).noneMatch(ShareReport::repaired);
  }

  /**
   * Copies of one share number are listed in ring order, a repaired one among them: the copy
   * of the ring's last server goes bad, and its rebuilt copy, on a server before it on the
   * ring, is listed first.
   */
  @Test
  void copiesOfOneShareAreListedInRingOrderAfterARepair() throws Exception {
    List<NodeId> ring = PermutedRing.order(si, client.servers().serverIds());
    NodeId last = ring.get(ring.size() - 1);
    int share = placement.entrySet().stream().filter(e -> e.getValue().contains(last))
        .findFirst().orElseThrow().getKey();
    Damage.flip(shareFile(share), 70);
    HealthReport r = health.repair(cap.toString()).get();
    assertThat(r.healthy()).isTrue();
    List<ShareReport> copies = r.shares().stream().filter(s -> s.number() == share).toList();
    assertThat(copies).hasSize(2);
    assertThat(copies.get(0).repaired()).isTrue();
    assertThat(copies.get(1).status()).isEqualTo(ShareReport.Status.CORRUPT);
    assertThat(copies.get(1).server()).isEqualTo(client.servers().describe(last));
    assertThat(r.shares()).extracting(ShareReport::number).isSorted();
  }
}
