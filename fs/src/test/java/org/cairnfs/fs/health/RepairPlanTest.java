package org.cairnfs.fs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.cairnfs.fs.grid.Happiness;
import org.junit.jupiter.api.Test;

class RepairPlanTest {
  static final List<String> RING = List.of("a", "b", "c", "d", "e", "f");

  private static Map<String, Set<Integer>> merged(Map<String, Set<Integer>> a,
      Map<String, Set<Integer>> b) {
    Map<String, Set<Integer>> out = new HashMap<>();
    a.forEach((k, v) -> out.computeIfAbsent(k, x -> new TreeSet<>()).addAll(v));
    b.forEach((k, v) -> out.computeIfAbsent(k, x -> new TreeSet<>()).addAll(v));
    return out;
  }

  @Test
  void aMissingShareGoesToAServerHoldingNothing() {
    Map<String, Set<Integer>> good = Map.of("a", Set.of(0), "b", Set.of(1), "c", Set.of(2),
        "d", Set.of(3), "e", Set.of(4));
    Map<String, Set<Integer>> plan = RepairPlan.plan(RING, good, Map.of(), 6);
    assertThat(plan).isEqualTo(Map.of("f", Set.of(5)));
  }

  @Test
  void aServerHoldingABadCopyNeverGetsThatNumberAgain() {
    Map<String, Set<Integer>> good = Map.of("b", Set.of(1), "c", Set.of(2), "d", Set.of(3),
        "e", Set.of(4), "f", Set.of(5));
    Map<String, Set<Integer>> plan = RepairPlan.plan(RING, good, Map.of("a", Set.of(0)), 6);
    assertThat(plan.getOrDefault("a", Set.of())).doesNotContain(0);
    assertThat(merged(good, plan).values().stream().flatMap(Set::stream).distinct().count())
        .isEqualTo(6);
  }

  /**
   * The acceptance case: every server held one share and "a"'s copy of 0 went bad. Share 0 is
   * rebuilt onto some other server; "a" must then hold a good copy of another number, else
   * reading from "a" and k - 1 others fails although the repair called the file healthy.
   */
  @Test
  void aServerWhoseOnlyCopyWentBadGetsAGoodCopyOfAnotherNumber() {
    Map<String, Set<Integer>> good = Map.of("b", Set.of(1), "c", Set.of(2), "d", Set.of(3),
        "e", Set.of(4), "f", Set.of(5));
    for (List<String> ring : List.of(RING, List.of("b", "c", "d", "e", "f", "a"))) {
      Map<String, Set<Integer>> plan = RepairPlan.plan(ring, good, Map.of("a", Set.of(0)), 6);
      assertThat(plan.getOrDefault("a", Set.of())).isNotEmpty().doesNotContain(0);
      assertThat(Happiness.of(merged(good, plan))).isEqualTo(6);
    }
  }

  @Test
  void sharesCrowdedOnOneServerAreSpreadUntilHappinessIsFull() {
    Map<String, Set<Integer>> good = Map.of("a", Set.of(0, 1, 2, 3), "b", Set.of(4),
        "c", Set.of(5));
    Map<String, Set<Integer>> plan = RepairPlan.plan(RING, good, Map.of(), 6);
    assertThat(Happiness.of(merged(good, plan))).isEqualTo(6);
    assertThat(plan.keySet()).containsExactlyInAnyOrder("d", "e", "f");
    plan.values().forEach(shares -> assertThat(shares).hasSize(1));
  }

  @Test
  void withFewerServersThanSharesEverySharesStillGetsAPlace() {
    Map<String, Set<Integer>> good = Map.of("a", Set.of(0), "b", Set.of(1));
    Map<String, Set<Integer>> plan = RepairPlan.plan(List.of("a", "b", "c"), good, Map.of(), 6);
    Map<String, Set<Integer>> after = merged(good, plan);
    assertThat(after.values().stream().flatMap(Set::stream).distinct().count()).isEqualTo(6);
    assertThat(Happiness.of(after)).isEqualTo(3);
    assertThat(after.values().stream().mapToInt(Set::size).max().orElseThrow()).isEqualTo(2);
  }

  @Test
  void aHealthyPlacementNeedsNothing() {
    Map<String, Set<Integer>> good = Map.of("a", Set.of(0), "b", Set.of(1), "c", Set.of(2),
        "d", Set.of(3), "e", Set.of(4), "f", Set.of(5));
    assertThat(RepairPlan.plan(RING, good, Map.of(), 6)).isEmpty();
  }

  /** More servers than shares, each share once: full happiness, nothing to add anywhere. */
  @Test
  void withMoreServersThanSharesAHealthyPlacementStillNeedsNothing() {
    Map<String, Set<Integer>> good = Map.of("a", Set.of(0), "b", Set.of(1), "c", Set.of(2));
    assertThat(RepairPlan.plan(RING, good, Map.of(), 3)).isEmpty();
  }

  /** Among servers equally loaded, a missing share goes to the first on the ring. */
  @Test
  void aMissingShareGoesToTheFirstOfTheLeastLoadedServersOnTheRing() {
    Map<String, Set<Integer>> good = Map.of("a", Set.of(0, 1), "b", Set.of(2, 3));
    assertThat(RepairPlan.plan(List.of("a", "b"), good, Map.of(), 5))
        .isEqualTo(Map.of("a", Set.of(4)));
    assertThat(RepairPlan.plan(List.of("b", "a"), good, Map.of(), 5))
        .isEqualTo(Map.of("b", Set.of(4)));
  }

  /**
   * Every copy the plan adds raises happiness by one: two empty servers and one share short of
   * full happiness get one copy between them, the first on the ring, of an uncredited number
   * when there is one.
   */
  @Test
  void onlyCopiesThatRaiseHappinessAreAddedFirstServerFirst() {
    Map<String, Set<Integer>> good = Map.of("a", Set.of(0, 1), "b", Set.of(2));
    Map<String, Set<Integer>> plan = RepairPlan.plan(List.of("a", "b", "c", "d"), good,
        Map.of(), 3);
    // "a" is credited with one of its two numbers; "c" takes the other
    assertThat(plan.keySet()).containsExactly("c");
    assertThat(plan.get("c")).hasSize(1).isSubsetOf(0, 1);
    assertThat(Happiness.of(merged(good, plan))).isEqualTo(3);
    Map<String, Set<Integer>> reversed = RepairPlan.plan(List.of("d", "c", "b", "a"), good,
        Map.of(), 3);
    assertThat(reversed.keySet()).containsExactly("d");
    assertThat(reversed.get("d")).hasSize(1).isSubsetOf(0, 1);
  }

  /** A good copy on a server that cannot take more (full, so off the ring) still counts. */
  @Test
  void goodCopiesOnServersOffTheRingCount() {
    Map<String, Set<Integer>> good = Map.of("a", Set.of(0), "full", Set.of(1));
    assertThat(RepairPlan.plan(List.of("a", "b"), good, Map.of(), 2)).isEmpty();
  }
}
