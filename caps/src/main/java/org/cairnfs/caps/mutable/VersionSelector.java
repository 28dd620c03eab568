package org.cairnfs.caps.mutable;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Picks which version of a mutable slot to read from what servers reported.
 *
 * <p>The rule: the highest seqnum that is recoverable (at least k distinct share numbers seen)
 * wins. If two different root hashes carry the highest seqnum seen at all, two writers
 * published without seeing each other: that is reported as a collision so the caller can
 * resolve it (for a directory, re-read both and merge, then publish seqnum + 1). A newer version
 * that is not yet recoverable (a write in progress or mostly lost) is reported too.
 *
 * <p>Only feed observations whose shares passed {@link MutableShare#authenticate}: the rule
 * trusts seqnums, so an unsigned claim could hide real versions. Linear in the observations.
 */
public final class VersionSelector {
  private VersionSelector() {}

  /** One share a server reported: who has it, its number, and its authenticated header. */
  public record Observation(String server, int shareNumber, SignedHeader header) {
    public Observation {
      if (header == null || shareNumber < 0 || shareNumber >= header.n()) {
        throw new IllegalArgumentException("share number " + shareNumber
            + " outside its header's n");
      }
    }
  }

  /**
   * What to read.
   *
   * @param best the highest recoverable version, if any
   * @param shares for {@code best}: share number to the servers holding it (sorted)
   * @param collision two or more root hashes share the highest seqnum seen
   * @param highestSeen every version at the highest seqnum seen (more than one iff collision)
   * @param newerUnrecoverable versions above {@code best} with fewer than k shares seen
   */
  public record Selection(Optional<VersionId> best, Map<Integer, List<String>> shares, boolean collision, List<VersionId> highestSeen,
      List<VersionId> newerUnrecoverable) {}

  public static Selection select(Collection<Observation> observations) {
    Map<VersionId, Map<Integer, List<String>>> byVersion = new HashMap<>();
    Map<VersionId, Integer> kOf = new HashMap<>();
    long highest = -1;
    for (Observation o : observations) {
      VersionId v = o.header().versionId();
      byVersion.computeIfAbsent(v, x -> new TreeMap<>())
          .computeIfAbsent(o.shareNumber(), x -> new ArrayList<>()).add(o.server());
      kOf.putIfAbsent(v, o.header().k());
      highest = Math.max(highest, v.seqnum());
    }
    List<VersionId> ordered = new ArrayList<>(byVersion.keySet());
    ordered.sort(null);
    VersionId best = null;
    List<VersionId> newerUnrecoverable = new ArrayList<>();
    for (int i = ordered.size() - 1; i >= 0 && best == null; i--) {
      VersionId v = ordered.get(i);
      if (byVersion.get(v).size() >= kOf.get(v)) {
        best = v;
        // Another recoverable version at the same seqnum with more shares is a better pick.
        for (int m = i - 1; m >= 0 && ordered.get(m).seqnum() == v.seqnum(); m--) {
          VersionId w = ordered.get(m);
          int seen = byVersion.get(w).size();
          if (seen >= kOf.get(w) && seen > byVersion.get(best).size()) {
            best = w;
          }
        }
      } else {
        newerUnrecoverable.add(v);
      }
    }
    final long top = highest;
    List<VersionId> highestSeen = ordered.stream().filter(v -> v.seqnum() == top).toList();
    if (best != null) {
      VersionId chosen = best;
      newerUnrecoverable.removeIf(v -> v.seqnum() <= chosen.seqnum());
    }
    Map<Integer, List<String>> shares = best == null ? Map.of() : byVersion.get(best);
    return new Selection(Optional.ofNullable(best), shares,
        highestSeen.size() > 1, highestSeen, newerUnrecoverable);
  }
}
