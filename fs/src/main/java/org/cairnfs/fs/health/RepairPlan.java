package org.cairnfs.fs.health;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.cairnfs.fs.grid.Happiness;

/**
 * Where a repair puts new copies of shares: pure planning, no I/O.
 *
 * <p>The rule, as an upload's placement: first every share number with no good copy goes to the
 * least loaded usable server that does not hold that number (ring order breaks ties); then each
 * usable server holding no good copy of the file takes one share number (one the servers-of-
 * happiness matching does not credit if it can, else any number it does not hold) whenever
 * that raises happiness, in ring order. A server whose only copy is corrupt thus gets a good
 * copy of another number (the protocol cannot overwrite its bad one). So a repair
 * restores every share and spreads them until happiness is as high as the servers allow, and
 * never sends a share a credited server already has.
 */
final class RepairPlan {
  private RepairPlan() {}

  /**
   * @param ring usable servers (reachable, not full), permuted-ring order
   * @param good share numbers each server holds a good copy of
   * @param blocked share numbers each server holds a bad copy of (it cannot take them again)
   * @param n shares of the file
   * @return new copies: server to share numbers
   */
  static <S> Map<S, Set<Integer>> plan(List<S> ring, Map<S, Set<Integer>> good,
      Map<S, Set<Integer>> blocked, int n) {
    Map<S, Set<Integer>> planned = new LinkedHashMap<>();
    for (S server : ring) {
      planned.put(server, new TreeSet<>(good.getOrDefault(server, Set.of())));
    }
    good.forEach((server, shares) -> planned.computeIfAbsent(server, s -> new TreeSet<>())
        .addAll(shares));
    Map<S, Set<Integer>> added = new LinkedHashMap<>();
    Set<Integer> stored = new TreeSet<>();
    good.values().forEach(stored::addAll);
    for (int share = 0; share < n; share++) {
      if (stored.contains(share)) {
        continue;
      }
      S best = null;
      for (S server : ring) {
        if (!canTake(server, share, planned, blocked)) {
          continue;
        }
        if (best == null || planned.get(server).size() < planned.get(best).size()) {
          best = server;
        }
      }
      if (best != null) {
        add(best, share, planned, added);
      }
    }
    // Then every server holding no good copy (nothing, or only bad copies) takes one share
    // number, uncredited ones first, whenever that raises happiness: a server whose copy was
    // corrupt gets a good copy of another number (its own number went elsewhere), so any k of
    // the servers read the file again, as before the damage.
    while (true) {
      Map<Integer, S> credited = Happiness.matching(nonEmpty(planned));
      int happiness = credited.size();
      boolean moved = false;
      for (S server : ring) {
        if (moved || !planned.get(server).isEmpty()) {
          continue;
        }
        for (int pass = 0; pass < 2 && !moved; pass++) {
          for (int share = 0; share < n && !moved; share++) {
            boolean uncredited = !credited.containsKey(share);
            if ((pass == 0) != uncredited || !canTake(server, share, planned, blocked)) {
              continue;
            }
            planned.get(server).add(share);
            if (Happiness.matching(nonEmpty(planned)).size() > happiness) {
              added.computeIfAbsent(server, x -> new TreeSet<>()).add(share);
              moved = true;
            } else {
              planned.get(server).remove(share);
            }
          }
        }
      }
      if (!moved) {
        return added;
      }
    }
  }

  private static <S> boolean canTake(S server, int share, Map<S, Set<Integer>> planned,
      Map<S, Set<Integer>> blocked) {
    return !planned.get(server).contains(share)
        && !blocked.getOrDefault(server, Set.of()).contains(share);
  }

  private static <S> void add(S server, int share, Map<S, Set<Integer>> planned,
      Map<S, Set<Integer>> added) {
    planned.get(server).add(share);
    added.computeIfAbsent(server, s -> new TreeSet<>()).add(share);
  }

  private static <S> Map<S, Set<Integer>> nonEmpty(Map<S, Set<Integer>> placement) {
    Map<S, Set<Integer>> out = new HashMap<>();
    placement.forEach((server, shares) -> {
      if (!shares.isEmpty()) {
        out.put(server, shares);
      }
    });
    return out;
  }
}
