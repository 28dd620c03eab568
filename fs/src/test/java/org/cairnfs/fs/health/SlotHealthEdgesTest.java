package org.cairnfs.fs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.fs.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * The check of a small mutable slot (each share fits in the front a check reads): copies that
 * are not this slot's share, counting good shares against k and happy, servers that do not
 * answer, and what verify reads.
 */
class SlotHealthEdgesTest extends SmallSlotGrid {
  SlotHealthEdgesTest() {
    super(11);
  }

  ShareReport only(HealthReport r, int number) {
    return r.shares().stream().filter(s -> s.number() == number).reduce((a, b) -> {
      throw new AssertionError("two copies of share " + number + ": " + r.format());
    }).orElseThrow();
  }

  /**
   * A copy stored under another number than it says, and a copy of another slot's share (its
   * signature is not under this slot's key), are corrupt: neither counts as a good share.
   */
  @Test
  void copiesThatAreNotThisSlotsShareAreCorrupt() throws Exception {
    MutableWriteCap other = mutable.create(new byte[1000]).get();
    StorageIndex otherSi = other.storageIndex().orElseThrow();
    TestServer three = holder(3);
    Files.copy(slotFile(3), three.slotPath(si, 4), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Path foreign = grid.servers().stream().map(s -> s.slotPath(otherSi, 3))
        .filter(Files::exists).findFirst().orElseThrow();
    Files.copy(foreign, three.slotPath(si, 3), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    HealthReport r = health.check(cap.toString(), false).get();
    assertThat(r.healthy()).isFalse();
    assertThat(r.recoverable()).isTrue();
    assertThat(r.corruptShares()).containsExactly(3, 4);
    assertThat(r.found()).isEqualTo(9);
    String onThree = client.servers().describe(three.nodeId());
    assertThat(r.shares()).filteredOn(s -> s.server().equals(onThree)).hasSize(2)
        .allSatisfy(s -> assertThat(s.status()).isEqualTo(ShareReport.Status.CORRUPT))
        .anySatisfy(s -> {
          assertThat(s.number()).isEqualTo(4);
          assertThat(s.reason()).contains("stored as share 4 but says it is share 3");
        });
  }

  /** A share that fits in the front is verified from that one read: one read per server. */
  @Test
  void verifyReadsASmallShareOnceAndFindsABadBlockInIt() throws Exception {
    long before = grid.servers().stream().mapToLong(s -> s.faults().reads()).sum();
    HealthReport fresh = health.check(cap.toString(), true).get();
    assertThat(fresh.healthy()).isTrue();
    assertThat(grid.servers().stream().mapToLong(s -> s.faults().reads()).sum() - before)
        .isEqualTo(10);

    Damage.flip(slotFile(2), Damage.size(slotFile(2)) - 20);
    assertThat(health.check(cap.toString(), false).get().healthy()).isTrue(); // front intact
    HealthReport verified = health.check(cap.toString(), true).get();
    assertThat(verified.healthy()).isFalse();
    assertThat(verified.recoverable()).isTrue();
    assertThat(verified.corruptShares()).containsExactly(2);
    assertThat(only(verified, 2).reason()).isNotEmpty();
  }

  /** A server that does not answer is named in the notes; its share is found nowhere. */
  @Test
  void aStoppedServerIsNamedAndItsShareListedInItsPlaceAsFoundNowhere() throws Exception {
    TestServer stopped = holder(5);
    stopped.kill();
    HealthReport r = health.check(cap.toString(), false).get();
    assertThat(r.healthy()).isFalse();
    assertThat(r.missingShares()).containsExactly(5);
    assertThat(only(r, 5).server()).isEqualTo(ShareReport.NOWHERE);
    assertThat(r.shares()).extracting(ShareReport::number)
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(r.notes()).anySatisfy(n -> assertThat(n)
        .contains(stopped.nodeId().shortForm()).containsAnyOf("not reachable", "did not answer"));
  }

  /** Exactly k good shares are recoverable; one fewer is not, and repair says it cannot help. */
  @Test
  void exactlyKSharesAreRecoverableFewerAreNot() throws Exception {
    for (int share = 3; share < 10; share++) {
      Files.delete(slotFile(share));
    }
    HealthReport three = health.check(cap.toString(), false).get();
    assertThat(three.found()).isEqualTo(3);
    assertThat(three.recoverable()).isTrue();
    assertThat(three.healthy()).isFalse();
    assertThat(three.missingShares()).containsExactly(3, 4, 5, 6, 7, 8, 9);

    Files.delete(slotFile(2));
    HealthReport two = health.check(cap.toString(), false).get();
    assertThat(two.recoverable()).isFalse();
    assertThat(two.notes()).contains("no version of this slot has k good shares");
    HealthReport repaired = health.repair(cap.toString()).get();
    assertThat(repaired.repaired()).isFalse();
    assertThat(repaired.notes()).anySatisfy(n -> assertThat(n).startsWith("cannot repair"));

    Files.delete(slotFile(1));
    Files.delete(slotFile(0));
    HealthReport none = health.check(cap.toString(), false).get();
    assertThat(none.recoverable()).isFalse();
    assertThat(none.notes()).contains("no share of this slot on the 10 servers that answered");
  }

  /** Shares on exactly happy (7) servers are healthy; on six they are not. */
  @Test
  void happinessIsCountedAgainstTheWantedNumberOfServersExactly() throws Exception {
    TestServer crowded = holder(0);
    for (int share = 7; share < 10; share++) {
      Path from = slotFile(share);
      Files.copy(from, crowded.slotPath(si, share));
      Files.delete(from);
    }
    HealthReport seven = health.check(cap.toString(), true).get();
    assertThat(seven.happiness()).as(seven.format()).isEqualTo(7);
    assertThat(seven.healthy()).as(seven.format()).isTrue();
    Path six = slotFile(6);
    Files.copy(six, crowded.slotPath(si, 6));
    Files.delete(six);
    HealthReport fewer = health.check(cap.toString(), true).get();
    assertThat(fewer.found()).isEqualTo(10);
    assertThat(fewer.happiness()).isEqualTo(6);
    assertThat(fewer.healthy()).isFalse();
  }
}
