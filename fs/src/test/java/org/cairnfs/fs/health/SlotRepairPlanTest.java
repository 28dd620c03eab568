package org.cairnfs.fs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * Where a repair of a small mutable slot puts copies, counted exactly: a slot on too few servers
 * gets one copy on each server it lacks, and nothing else is written; a stale server gets the
 * current copy of its own number in place (not another number the happiness pass would give
 * it); a server with a corrupt copy of the current version is not given that number again; a
 * copy that is no share at all does not stop the repair, which says what a verify cap cannot
 * re-create.
 */
class SlotRepairPlanTest extends SmallSlotGrid {
  SlotRepairPlanTest() {
    super(21);
  }

  String name(TestServer s) {
    return client.servers().describe(s.nodeId());
  }

  /**
   * A slot published while two servers refused writes sits on eight servers (happiness 8): a
   * checker that wants happiness 10 finds it unhealthy, and its repair gives each of the two
   * servers one copy and writes nothing else: two copies, happiness 10, no notes.
   */
  @Test
  void tooFewServersGetExactlyTheCopiesThatRestoreHappinessAndNothingElse() throws Exception {
    List<TestServer> refusing = List.of(grid.server(3), grid.server(8));
    refusing.forEach(s -> s.faults().failWrites(true));
    MutableWriteCap spread = mutable.create(contents).get();
    refusing.forEach(s -> s.faults().failWrites(false));
    StorageIndex index = spread.storageIndex().orElseThrow();
    GridHealth strict = GridHealth.create(grid.client(GridConfig.builder()
        .params(EncodingParams.builder().happy(10).build())
        .stallTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(2)).build()));
    HealthReport checked = strict.check(spread.toString(), true).get();
    assertThat(checked.found()).isEqualTo(10);
    assertThat(checked.happiness()).isEqualTo(8);
    assertThat(checked.healthy()).isFalse();
    Map<TestServer, Long> before = new HashMap<>();
    grid.servers().forEach(s -> before.put(s, s.faults().bytesReceived()));

    HealthReport r = strict.repair(spread.toString()).get();
    assertThat(r.healthy()).as(r.format()).isTrue();
    assertThat(r.happiness()).isEqualTo(10);
    assertThat(r.notes()).isEmpty();
    assertThat(r.shares()).filteredOn(ShareReport::repaired).extracting(ShareReport::server)
        .containsExactlyInAnyOrderElementsOf(refusing.stream().map(this::name).toList());
    assertThat(r.shares()).hasSize(12);
    for (TestServer s : grid.servers()) {
      long written = 0;
      if (refusing.contains(s)) {
        for (int n = 0; n < 10; n++) {
          if (Files.exists(s.slotPath(index, n))) {
            written += Files.size(s.slotPath(index, n));
          }
        }
        assertThat(written).isPositive();
      }
      assertThat(s.faults().bytesReceived() - before.get(s)).as("%s", s).isEqualTo(written);
    }
  }

  /**
   * Share 0's server refuses the next publish, which puts the current 0 beside another number
   * on one server D: D is credited with 0 (its lowest), so the happiness pass alone would give
   * the stale server D's other number and leave its old 0 there. The repair replaces the old
   * copy in place instead, and writes nothing more.
   */
  @Test
  void aStaleServerGetsItsOwnNumberBackInPlaceAndNothingElse() throws Exception {
    TestServer behind = holder(0);
    behind.faults().failWrites(true);
    mutable.overwrite(cap, "newer contents".getBytes()).get();
    behind.faults().failWrites(false);
    HealthReport r = health.repair(cap.toString()).get();
    assertThat(r.healthy()).as(r.format()).isTrue();
    assertThat(r.shares()).filteredOn(ShareReport::repaired).singleElement().satisfies(s -> {
      assertThat(s.number()).isZero();
      assertThat(s.server()).isEqualTo(name(behind));
    });
    assertThat(r.shares()).filteredOn(s -> s.server().equals(name(behind))).singleElement()
        .satisfies(s -> assertThat(s.status()).isEqualTo(ShareReport.Status.OK));
    HealthReport after = health.check(cap.toString(), true).get();
    assertThat(after.healthy()).as(after.format()).isTrue();
    assertThat(after.happiness()).isEqualTo(10);
  }

  /**
   * Share 9's copy has a bad byte, and share 0's server holds a good 9 besides its 0: every
   * number is there, happiness 9. A checker wanting 10 repairs by giving the bad copy's server
   * a number: not 9 (the server refuses the current seqnum again), though the happiness pass
   * would try the uncredited 9 first, but 0.
   */
  @Test
  void aServerWithACorruptCurrentCopyIsNotGivenThatNumberAgain() throws Exception {
    TestServer bad = holder(9);
    TestServer doubled = holder(0);
    Files.copy(slotFile(9), doubled.slotPath(si, 9));
    Damage.flip(bad.slotPath(si, 9), Files.size(bad.slotPath(si, 9)) - 20);
    GridHealth strict = GridHealth.create(grid.client(GridConfig.builder()
        .params(EncodingParams.builder().happy(10).build())
        .stallTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(2)).build()));
    HealthReport r = strict.repair(cap.toString()).get();
    assertThat(r.healthy()).as(r.format()).isTrue();
    assertThat(r.happiness()).isEqualTo(10);
    assertThat(r.notes()).singleElement().satisfies(n -> assertThat(n)
        .startsWith("the corrupt copy of share 9 on " + name(bad) + " stays"));
    assertThat(r.shares()).filteredOn(ShareReport::repaired).singleElement().satisfies(s -> {
      assertThat(s.number()).isZero();
      assertThat(s.server()).isEqualTo(name(bad));
    });
  }

  /**
   * A copy that is no share at all (random bytes in its place) counts for nothing: its number
   * has no good copy anywhere, and the repair ends saying that only a write-cap holder can
   * re-create it (about that number only), without writing anything.
   */
  @Test
  void aCopyThatIsNoShareAtAllDoesNotStopTheRepair() throws Exception {
    byte[] junk = new byte[(int) Files.size(slotFile(5))];
    new Random(3).nextBytes(junk);
    Files.write(slotFile(5), junk);
    HealthReport r = health.repair(cap.toString()).get();
    assertThat(r.healthy()).isFalse();
    assertThat(r.recoverable()).isTrue();
    assertThat(r.repaired()).isFalse();
    assertThat(r.corruptShares()).containsExactly(5);
    assertThat(r.notes()).singleElement().satisfies(n -> assertThat(n).startsWith(
        "share 5 of the current version has no good copy on any server"));
  }
}
