package org.cairnfs.fs.grid;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Servers-of-happiness, as Tahoe-LAFS defines it: the size of a maximum matching in the
 * bipartite graph whose edges join each server to each share number it holds. Equivalently, the
 * largest number of servers that can each be credited with a different share.
 *
 * <p>Why a matching and not "servers holding something": ten servers that all hold only share 0
 * are worth one share, not ten; three servers holding shares {0,1}, {1}, {1} are worth two. A
 * file with happiness h survives the loss of any h - k servers among those (each of the h
 * matched servers brings its own share, and any k of those rebuild the file). An upload succeeds
 * only when happiness reaches the {@code happy} parameter.
 *
 * <p>Computed by augmenting paths (Kuhn's algorithm): O(servers x edges), at most 256 shares,
 * a few milliseconds even for hundreds of servers.
 */
public final class Happiness {
  private Happiness() {}

  /** Happiness of {@code placement}: server to the share numbers it holds. */
  public static <S> int of(Map<S, ? extends Collection<Integer>> placement) {
    return matching(placement).size();
  }

  /**
   * One maximum matching: share number to the server credited with it. The servers not in it
   * hold only shares another server is already credited with.
   */
  public static <S> Map<Integer, S> matching(Map<S, ? extends Collection<Integer>> placement) {
    List<S> servers = new ArrayList<>(placement.keySet());
    Map<Integer, Integer> owner = new HashMap<>(); // share -> index of matched server
    for (int s = 0; s < servers.size(); s++) {
      augment(s, servers, placement, owner, new boolean[servers.size()]);
    }
    Map<Integer, S> out = new TreeMap<>();
    owner.forEach((share, s) -> out.put(share, servers.get(s)));
    return out;
  }

  /** Tries to match server {@code s}, re-matching others along an augmenting path. */
  private static <S> boolean augment(int s, List<S> servers,
      Map<S, ? extends Collection<Integer>> placement, Map<Integer, Integer> owner,
      boolean[] visited) {
    if (visited[s]) {
      return false;
    }
    visited[s] = true;
    for (int share : placement.get(servers.get(s))) {
      Integer current = owner.get(share);
      if (current == null || augment(current, servers, placement, owner, visited)) {
        owner.put(share, s);
        return true;
      }
    }
    return false;
  }
}
