package org.cairnfs.caps.mutable;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.cairnfs.caps.mutable.VersionSelector.Observation;
import org.cairnfs.caps.mutable.VersionSelector.Selection;
import org.junit.jupiter.api.Test;

class VersionSelectorTest {
  private static SignedHeader header(long seqnum, int rootByte) {
    byte[] root = new byte[32];
    root[0] = (byte) rootByte;
    return new SignedHeader(seqnum, root, new byte[16], 3, 10, 30, 100);
  }

  private static void see(List<Observation> into, SignedHeader h, int... shares) {
    for (int s : shares) {
      into.add(new Observation("server" + s, s, h));
    }
  }

  @Test
  void picksTheHighestRecoverableVersion() {
    List<Observation> seen = new ArrayList<>();
    see(seen, header(4, 1), 0, 1, 2, 3);
    see(seen, header(5, 2), 4, 5, 6);
    see(seen, header(6, 3), 7, 8); // only two shares: a write in progress
    Selection s = VersionSelector.select(seen);
    assertThat(s.best()).contains(header(5, 2).versionId());
    assertThat(s.shares()).containsOnlyKeys(4, 5, 6);
    assertThat(s.shares().get(5)).containsExactly("server5");
    assertThat(s.collision()).isFalse();
    assertThat(s.newerUnrecoverable()).containsExactly(header(6, 3).versionId());
  }

  @Test
  void duplicateShareNumbersDoNotMakeAVersionRecoverable() {
    List<Observation> seen = new ArrayList<>();
    SignedHeader h = header(3, 1);
    seen.add(new Observation("a", 0, h));
    seen.add(new Observation("b", 0, h));
    seen.add(new Observation("c", 1, h));
    Selection s = VersionSelector.select(seen);
    assertThat(s.best()).isEmpty();
    assertThat(s.newerUnrecoverable()).containsExactly(h.versionId());
  }

  @Test
  void twoRootsAtTheHighestSeqnumAreACollision() {
    List<Observation> seen = new ArrayList<>();
    see(seen, header(7, 1), 0, 1, 2, 3);
    see(seen, header(7, 2), 4, 5, 6, 7, 8);
    see(seen, header(6, 9), 9);
    Selection s = VersionSelector.select(seen);
    assertThat(s.collision()).isTrue();
    assertThat(s.highestSeen()).containsExactlyInAnyOrder(header(7, 1).versionId(),
        header(7, 2).versionId());
    // Of two recoverable colliding versions, the one with more shares is read.
    assertThat(s.best()).contains(header(7, 2).versionId());
  }

  @Test
  void aCollisionIsReportedEvenWhenTheColliderIsUnrecoverable() {
    List<Observation> seen = new ArrayList<>();
    see(seen, header(7, 1), 0, 1, 2);
    see(seen, header(7, 2), 3);
    Selection s = VersionSelector.select(seen);
    assertThat(s.collision()).isTrue();
    assertThat(s.best()).contains(header(7, 1).versionId());
  }

  private static SignedHeader header(long seqnum, int rootByte, int k) {
    byte[] root = new byte[32];
    root[0] = (byte) rootByte;
    return new SignedHeader(seqnum, root, new byte[16], k, 10, 30 * k, 100);
  }

  @Test
  void atTheSameSeqnumTheRecoverableVersionWithMoreSharesWinsWhicheverSortsFirst() {
    List<Observation> seen = new ArrayList<>();
    see(seen, header(7, 1), 0, 1, 2, 3, 4);
    see(seen, header(7, 2), 5, 6, 7);
    Selection s = VersionSelector.select(seen);
    assertThat(s.best()).contains(header(7, 1).versionId());
    assertThat(s.shares()).containsOnlyKeys(0, 1, 2, 3, 4);
    assertThat(s.collision()).isTrue();
  }

  @Test
  void atTheSameSeqnumAnEqualShareCountKeepsTheHigherRoot() {
    List<Observation> seen = new ArrayList<>();
    see(seen, header(7, 1), 0, 1, 2);
    see(seen, header(7, 2), 3, 4, 5);
    Selection s = VersionSelector.select(seen);
    assertThat(s.best()).contains(header(7, 2).versionId());
    assertThat(s.shares()).containsOnlyKeys(3, 4, 5);
  }

  @Test
  void moreSharesOfAnUnrecoverableColliderDoNotWin() {
    List<Observation> seen = new ArrayList<>();
    see(seen, header(7, 1, 6), 0, 1, 2, 3, 4); // needs 6: not recoverable
    see(seen, header(7, 2, 3), 5, 6, 7);
    Selection s = VersionSelector.select(seen);
    assertThat(s.best()).contains(header(7, 2, 3).versionId());
    assertThat(s.shares()).containsOnlyKeys(5, 6, 7);
  }

  @Test
  void anOlderSeqnumWithMoreSharesDoesNotWin() {
    List<Observation> seen = new ArrayList<>();
    see(seen, header(6, 9), 0, 1, 2, 3, 4, 5, 6);
    see(seen, header(7, 1), 7, 8, 9);
    Selection s = VersionSelector.select(seen);
    assertThat(s.best()).contains(header(7, 1).versionId());
    assertThat(s.collision()).isFalse();
    assertThat(s.highestSeen()).containsExactly(header(7, 1).versionId());
  }

  @Test
  void anUnrecoverableColliderAtTheChosenSeqnumIsNotNewer() {
    List<Observation> seen = new ArrayList<>();
    see(seen, header(7, 1), 0, 1, 2);
    see(seen, header(7, 2), 3, 4); // sorts above the chosen one, same seqnum
    see(seen, header(8, 5), 5); // truly newer, not yet recoverable
    Selection s = VersionSelector.select(seen);
    assertThat(s.best()).contains(header(7, 1).versionId());
    assertThat(s.newerUnrecoverable()).containsExactly(header(8, 5).versionId());
    assertThat(s.collision()).isFalse();
    assertThat(s.highestSeen()).containsExactly(header(8, 5).versionId());
  }

  @Test
  void withNothingRecoverableEveryVersionIsReportedUnrecoverable() {
    List<Observation> seen = new ArrayList<>();
    see(seen, header(7, 1), 0, 1);
    see(seen, header(8, 2), 2);
    Selection s = VersionSelector.select(seen);
    assertThat(s.best()).isEmpty();
    assertThat(s.shares()).isEmpty();
    assertThat(s.newerUnrecoverable()).containsExactly(header(8, 2).versionId(),
        header(7, 1).versionId());
  }

  @Test
  void anObservationOutsideItsHeadersSharesIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> new Observation("s", 10, header(1, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("share number 10");
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> new Observation("s", -1, header(1, 1)))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Observation("s", 0, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new Observation("s", 9, header(1, 1)).shareNumber()).isEqualTo(9);
  }

  @Test
  void nothingSeenSelectsNothing() {
    Selection s = VersionSelector.select(List.of());
    assertThat(s.best()).isEmpty();
    assertThat(s.collision()).isFalse();
    assertThat(s.shares()).isEmpty();
  }

  /** Recoverable means k of that version's own k: a 5-of-10 collider with exactly 5 counts. */
  @Test
  void aColliderWithExactlyItsOwnKSharesAndMoreThanTheOtherWins() {
    List<Observation> seen = new ArrayList<>();
    see(seen, header(7, 1, 5), 0, 1, 2, 3, 4);
    see(seen, header(7, 2, 3), 5, 6, 7, 8);
    Selection s = VersionSelector.select(seen);
    assertThat(s.best()).contains(header(7, 1, 5).versionId());
    assertThat(s.shares()).containsOnlyKeys(0, 1, 2, 3, 4);
    assertThat(s.shares().get(3)).containsExactly("server3");
  }
}
