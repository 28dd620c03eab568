package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HappinessTest {
  @Test
  void countsServersThatCanEachBeCreditedWithADifferentShare() {
    assertThat(Happiness.of(Map.of("a", Set.of(0), "b", Set.of(0), "c", Set.of(0)))).isEqualTo(1);
    assertThat(Happiness.of(Map.of("a", Set.of(0, 1), "b", Set.of(1), "c", Set.of(1))))
        .isEqualTo(2);
    assertThat(Happiness.of(Map.of("a", Set.of(0, 1, 2, 3)))).isEqualTo(1);
    assertThat(Happiness.of(Map.<String, Set<Integer>>of())).isZero();
    Map<String, Set<Integer>> spread = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      spread.put("s" + i, Set.of(i));
    }
    assertThat(Happiness.of(spread)).isEqualTo(10);
  }

  @Test
  void findsTheMatchingEvenWhenGreedyChoicesBlockIt() {
    // Greedy would give "a" share 0 and leave "b" with nothing; the matching re-routes "a" to 1.
    Map<String, Set<Integer>> p = new LinkedHashMap<>();
    p.put("a", Set.of(0, 1));
    p.put("b", Set.of(0));
    assertThat(Happiness.of(p)).isEqualTo(2);
    assertThat(Happiness.matching(p)).containsEntry(0, "b").containsEntry(1, "a");
  }

  @Test
  void equalsBruteForceOnRandomSmallPlacements() {
    Random random = new Random(42);
    for (int trial = 0; trial < 500; trial++) {
      int servers = 1 + random.nextInt(6);
      int shares = 1 + random.nextInt(6);
      Map<Integer, Set<Integer>> p = new HashMap<>();
      for (int s = 0; s < servers; s++) {
        Set<Integer> held = new HashSet<>();
        for (int sh = 0; sh < shares; sh++) {
          if (random.nextInt(3) == 0) {
            held.add(sh);
          }
        }
        p.put(s, held);
      }
      int expected = bruteForce(List.copyOf(p.values()), 0, new HashSet<>());
      assertThat(Happiness.of(p)).as("%s", p).isEqualTo(expected);
      Map<Integer, Integer> m = Happiness.matching(p);
      assertThat(m).hasSize(expected);
      m.forEach((share, server) -> assertThat(p.get(server)).contains(share));
      assertThat(new HashSet<>(m.values())).hasSize(m.size());
    }
  }

  /** Largest number of servers from index i on that can each take a share not in used. */
  private static int bruteForce(List<Set<Integer>> servers, int i, Set<Integer> used) {
    if (i == servers.size()) {
      return 0;
    }
    int best = bruteForce(servers, i + 1, used);
    for (int share : servers.get(i)) {
      if (used.add(share)) {
        best = Math.max(best, 1 + bruteForce(servers, i + 1, used));
        used.remove(share);
      }
    }
    return best;
  }
}
