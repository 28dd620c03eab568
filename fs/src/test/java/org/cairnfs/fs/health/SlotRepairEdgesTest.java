package org.cairnfs.fs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.fs.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * Repair of a small mutable slot with its verify cap: a copy of an older version beside a
 * current one elsewhere (so every number is present), a server that refuses the new copy, a
 * corrupt extra copy of a healthy slot, and a slot too damaged to repair.
 */
class SlotRepairEdgesTest extends SmallSlotGrid {
  SlotRepairEdgesTest() {
    super(13);
  }

  /**
   * Publishes new contents while the servers of {@code shares} refuse writes, so they keep the
   * older copies; the publish puts the current copies of those numbers on other servers, so
   * every number stays present and only those servers are stale.
   */
  List<TestServer> leaveBehind(int... shares) throws Exception {
    List<TestServer> behind = new ArrayList<>();
    for (int share : shares) {
      behind.add(holder(share));
    }
    behind.forEach(s -> s.faults().failWrites(true));
    mutable.overwrite(cap, "newer contents".getBytes()).get();
    behind.forEach(s -> s.faults().failWrites(false));
    return behind;
  }

  /** A stale copy makes the slot unhealthy although every number has a current copy. */
  @Test
  void aStaleCopyIsNotHealthyEvenWithEveryNumberPresentAndRepairReplacesIt() throws Exception {
    TestServer behind = leaveBehind(6).get(0);
    HealthReport checked = health.check(cap.toString(), true).get();
    assertThat(checked.found()).isEqualTo(10);
    assertThat(checked.happiness()).isGreaterThanOrEqualTo(7);
    assertThat(checked.healthy()).as(checked.format()).isFalse();
    assertThat(checked.recoverable()).isTrue();
    assertThat(checked.notes()).anySatisfy(n -> assertThat(n).contains("older version"));
    String onBehind = client.servers().describe(behind.nodeId());
    assertThat(checked.shares()).filteredOn(s -> s.server().equals(onBehind)).singleElement()
        .satisfies(s -> {
          assertThat(s.status()).isEqualTo(ShareReport.Status.MISSING);
          assertThat(s.reason()).isEqualTo("holds an older version (seqnum 1), not the current "
              + "one (seqnum 2)");
        });

    HealthReport repaired = health.repair(cap.toString()).get();
    assertThat(repaired.healthy()).as(repaired.format()).isTrue();
    assertThat(repaired.repaired()).isTrue();
    assertThat(repaired.shares()).filteredOn(s -> s.server().equals(onBehind)).singleElement()
        .satisfies(s -> {
          assertThat(s.status()).isEqualTo(ShareReport.Status.OK);
          assertThat(s.repaired()).isTrue();
        });
    HealthReport after = health.check(cap.toString(), true).get();
    assertThat(after.healthy()).as(after.format()).isTrue();
    assertThat(after.happiness()).isEqualTo(10);
    assertThat(after.notes()).isEmpty();
  }

  /** A server that refuses the current copy stays stale, and the repair says so. */
  @Test
  void aStaleServerThatRefusesTheNewCopyStaysListedAndUnhealthy() throws Exception {
    List<TestServer> behind = leaveBehind(6, 7);
    behind.get(0).faults().failWrites(true);

    HealthReport repaired = health.repair(cap.toString()).get();
    assertThat(repaired.repaired()).as(repaired.format()).isTrue();
    assertThat(repaired.healthy()).as(repaired.format()).isFalse();
    String refusing = client.servers().describe(behind.get(0).nodeId());
    assertThat(repaired.shares()).filteredOn(s -> s.server().equals(refusing)).singleElement()
        .satisfies(s -> {
          assertThat(s.number()).isEqualTo(6);
          assertThat(s.status()).isEqualTo(ShareReport.Status.MISSING);
        });
    assertThat(repaired.notes()).anySatisfy(n -> assertThat(n)
        .startsWith("new copy of share 6 on " + refusing + " failed"));
    String accepting = client.servers().describe(behind.get(1).nodeId());
    assertThat(repaired.shares()).filteredOn(s -> s.server().equals(accepting)).singleElement()
        .satisfies(s -> {
          assertThat(s.number()).isEqualTo(7);
          assertThat(s.status()).isEqualTo(ShareReport.Status.OK);
          assertThat(s.repaired()).isTrue();
        });
  }

  /** A healthy slot with a corrupt extra copy: repair leaves it alone and says nothing. */
  @Test
  void aHealthySlotIsLeftAloneByRepair() throws Exception {
    TestServer extra = holder(0);
    Path copy = extra.slotPath(si, 5);
    Files.copy(holder(5).slotPath(si, 5), copy);
    Damage.flip(copy, Damage.size(copy) - 20);
    HealthReport repaired = health.repair(cap.toString()).get();
    assertThat(repaired.healthy()).as(repaired.format()).isTrue();
    assertThat(repaired.corruptShares()).containsExactly(5);
    assertThat(repaired.repaired()).isFalse();
    assertThat(repaired.notes()).isEmpty();
  }

  /**
   * A missing number with no good copy anywhere and a corrupt copy at the current seqnum: a
   * verify cap can do neither, the notes say both; a copy elsewhere still goes where missing.
   */
  @Test
  void whatAVerifyCapCannotRepairIsNamedAndTheRestIsDone() throws Exception {
    TestServer two = holder(2);
    Damage.flip(two.slotPath(si, 2), Damage.size(two.slotPath(si, 2)) - 20);
    Files.delete(holder(8).slotPath(si, 8));
    HealthReport repaired = health.repair(cap.toString()).get();
    assertThat(repaired.healthy()).isFalse();
    assertThat(repaired.recoverable()).isTrue();
    String onTwo = client.servers().describe(two.nodeId());
    assertThat(repaired.notes()).anySatisfy(n -> assertThat(n).contains(
        "the corrupt copy of share 2 on " + onTwo + " stays"));
    assertThat(repaired.notes()).anySatisfy(n -> assertThat(n).startsWith(
        "share 8 of the current version has no good copy"));
    assertThat(repaired.notes()).anySatisfy(n -> assertThat(n).startsWith(
        "share 2 of the current version has no good copy"));
    assertThat(repaired.notes()).noneMatch(n -> n.contains("share 8 on")
        || n.contains("corrupt copy of share 8"));
    // No server got a copy of 2 or 8 (there is none to copy), and none of 2 twice.
    assertThat(repaired.shares()).filteredOn(ShareReport::repaired)
        .noneMatch(s -> s.number() == 2 || s.number() == 8);
    HealthReport after = health.check(cap.toString(), true).get();
    assertThat(after.corruptShares()).containsExactly(2);
    assertThat(after.missingShares()).containsExactly(8);
  }

  /** With fewer than k shares of any version, repair does nothing and says why. */
  @Test
  void aSlotWithoutKGoodSharesIsNotRepairedAndTheReportSaysWhy() throws Exception {
    for (int share = 2; share < 10; share++) {
      Files.delete(holder(share).slotPath(si, share));
    }
    HealthReport repaired = health.repair(cap.toString()).get();
    assertThat(repaired.recoverable()).isFalse();
    assertThat(repaired.repaired()).isFalse();
    assertThat(repaired.notes()).contains(
        "cannot repair: no version of this slot has k good shares");
  }
}
