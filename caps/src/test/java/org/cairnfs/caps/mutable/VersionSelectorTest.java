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

  @Test
  void nothingSeenSelectsNothing() {
    Selection s = VersionSelector.select(List.of());
    assertThat(s.best()).isEmpty();
    assertThat(s.collision()).isFalse();
    assertThat(s.shares()).isEmpty();
  }
}
