package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cairnfs.fs.grid.Placement.Status;
import org.cairnfs.protocol.identity.NodeId;
import org.junit.jupiter.api.Test;

class PlacementTest {
  static List<NodeId> ring(int count) {
    List<NodeId> ids = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      ids.add(PermutedRingTest.id(i));
    }
    return ids;
  }

  static Placement connected(List<NodeId> ring, int n) {
    Placement p = new Placement(ring, n);
    for (NodeId id : p.nextToConnect(ring.size())) {
      p.connected(id);
    }
    return p;
  }

  @Test
  void oneShareEachInRingOrderWhenServersSuffice() {
    List<NodeId> ring = ring(12);
    Map<NodeId, Set<Integer>> plan = connected(ring, 10).plan();
    assertThat(plan).hasSize(10);
    for (int i = 0; i < 10; i++) {
      assertThat(plan.get(ring.get(i))).containsExactly(i);
    }
  }

  @Test
  void sharesDoubleUpEvenlyWhenServersAreFewer() {
    List<NodeId> ring = ring(4);
    Map<NodeId, Set<Integer>> plan = connected(ring, 10).plan();
    assertThat(plan.values()).extracting(Set::size).containsExactly(3, 3, 2, 2);
    Set<Integer> all = new HashSet<>();
    plan.values().forEach(all::addAll);
    assertThat(all).hasSize(10);
  }

  @Test
  void creditedHeldSharesAreNotSentAndUncreditedOnesGoOnlyToEmptyServers() {
    List<NodeId> ring = ring(12);
    Placement p = connected(ring, 10);
    // Server 0 claims shares 0 and 1; server 1 claims share 1: both credited (0->s0, 1->s1).
    p.set(ring.get(0), 0, Status.CLAIMED);
    p.set(ring.get(0), 1, Status.CLAIMED);
    p.set(ring.get(1), 1, Status.CLAIMED);
    // Server 2 claims share 5 and share 6: only one of them can be credited to it.
    p.set(ring.get(2), 5, Status.CLAIMED);
    p.set(ring.get(2), 6, Status.CLAIMED);
    Map<NodeId, Set<Integer>> plan = p.plan();
    Set<Integer> planned = new HashSet<>();
    plan.values().forEach(planned::addAll);
    assertThat(planned).doesNotContain(0, 1).contains(2, 3, 4, 7, 8, 9);
    plan.forEach((server, shares) -> {
      assertThat(ring.indexOf(server)).isGreaterThan(2);
      assertThat(shares).hasSize(1);
    });
    assertThat(planned).hasSize(7); // 2,3,4,7,8,9 and one of 5/6 moved to an empty server
  }

  @Test
  void aBogusClaimIsPlacedElsewhereAndFullOrFailedServersAreSkipped() {
    List<NodeId> ring = ring(5);
    Placement p = connected(ring, 3);
    p.set(ring.get(0), 0, Status.BOGUS);
    p.full(ring.get(1), "full");
    p.problem(ring.get(2), "dead");
    Map<NodeId, Set<Integer>> plan = p.plan();
    assertThat(plan).containsOnlyKeys(ring.get(0), ring.get(3), ring.get(4));
    assertThat(plan.get(ring.get(0))).doesNotContain(0);
    assertThat(p.fullCount()).isEqualTo(1);
    assertThat(p.problems()).containsOnlyKeys(ring.get(1), ring.get(2));
  }

  @Test
  void aServerIsNotAskedTwiceForTheSameShare() {
    List<NodeId> ring = ring(2);
    Placement p = connected(ring, 1);
    Map<NodeId, Set<Integer>> first = p.plan();
    assertThat(first).containsOnlyKeys(ring.get(0));
    p.asked(ring.get(0), Set.of(0)); // answered neither allocated nor held (someone else's upload)
    assertThat(p.plan()).containsOnlyKeys(ring.get(1));
    p.asked(ring.get(1), Set.of(0));
    assertThat(p.plan()).isEmpty();
  }

  @Test
  void happinessAndIncompleteFollowTheStatuses() {
    List<NodeId> ring = ring(3);
    Placement p = connected(ring, 3);
    p.set(ring.get(0), 0, Status.WRITTEN);
    p.set(ring.get(1), 1, Status.HELD);
    p.set(ring.get(2), 2, Status.FAILED);
    assertThat(p.happiness(Placement.COMPLETE)).isEqualTo(2);
    assertThat(p.incomplete()).containsExactly(2);
    p.set(ring.get(0), 0, Status.CLOSED);
    assertThat(p.happiness(Placement.DONE)).isEqualTo(2);
  }
}
