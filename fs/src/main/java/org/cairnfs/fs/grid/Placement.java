package org.cairnfs.fs.grid;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.cairnfs.protocol.identity.NodeId;

/**
 * Which server holds, or is receiving, which share of one upload, and the planner that decides
 * where shares still without a place go. Pure bookkeeping, no I/O; not thread-safe.
 *
 * <p>The planning rule: a share stored nowhere goes to the least loaded usable server that was
 * not yet asked for it (ring order breaks ties), so every server gets one share before any gets
 * two; a share that is stored but not credited by the happiness matching (it sits on a server
 * credited with another share) is moved only to a server holding nothing, where it raises
 * happiness. Shares already credited are never sent again.
 */
final class Placement {
  /** Where one share stands on one server. */
  enum Status {
    /** The server says it holds the share; not yet checked against the cap. */
    CLAIMED,
    /** Held, and its front checked against the cap. */
    HELD,
    /** Claimed, but its front does not belong to this file. */
    BOGUS,
    /** Allocated for this upload, bytes on their way. */
    OPEN,
    /** Every byte acknowledged; the share is still open on the server. */
    WRITTEN,
    /** Closed: the share is complete and visible there. */
    CLOSED,
    /** The upload of this share to this server failed. */
    FAILED
  }

  static final Set<Status> PLANNED =
      EnumSet.of(Status.CLAIMED, Status.HELD, Status.OPEN, Status.WRITTEN, Status.CLOSED);
  static final Set<Status> COMPLETE = EnumSet.of(Status.HELD, Status.WRITTEN, Status.CLOSED);
  static final Set<Status> DONE = EnumSet.of(Status.HELD, Status.CLOSED);

  private final List<NodeId> ring;
  private final Map<NodeId, Integer> ringIndex = new HashMap<>();
  private final int n;
  private final Map<NodeId, Map<Integer, Status>> shares = new LinkedHashMap<>();
  private final Set<NodeId> usable = new HashSet<>();
  private final Set<NodeId> connected = new HashSet<>();
  private final Set<NodeId> attempted = new HashSet<>();
  private final Set<NodeId> asked = new HashSet<>();
  private final Set<NodeId> full = new HashSet<>();
  private final Map<NodeId, String> problems = new LinkedHashMap<>();
  private final Map<Integer, Set<NodeId>> tried = new HashMap<>();

  Placement(List<NodeId> ring, int n) {
    this.ring = List.copyOf(ring);
    for (int i = 0; i < ring.size(); i++) {
      ringIndex.put(ring.get(i), i);
    }
    this.n = n;
  }

  List<NodeId> ring() {
    return ring;
  }

  /** The next {@code count} servers of the ring not yet tried for a connection. */
  List<NodeId> nextToConnect(int count) {
    List<NodeId> out = new ArrayList<>();
    for (NodeId id : ring) {
      if (out.size() == count) {
        break;
      }
      if (attempted.add(id)) {
        out.add(id);
      }
    }
    return out;
  }

  boolean ringExhausted() {
    return attempted.size() == ring.size();
  }

  void connected(NodeId server) {
    usable.add(server);
    connected.add(server);
  }

  /** The server failed (connect, request or stall): it gets no more shares. */
  void problem(NodeId server, String why) {
    usable.remove(server);
    problems.putIfAbsent(server, why);
  }

  /**
   * How many servers could still take shares without {@code slow}: the usable ones and those
   * of the ring not tried yet.
   */
  int couldStillTake(Set<NodeId> slow) {
    int count = ring.size() - attempted.size();
    for (NodeId id : usable) {
      if (!slow.contains(id)) {
        count++;
      }
    }
    return count;
  }

  /** The server refused for lack of space: no more shares there. */
  void full(NodeId server, String why) {
    usable.remove(server);
    full.add(server);
    problems.putIfAbsent(server, why);
  }

  void asked(NodeId server, Set<Integer> numbers) {
    asked.add(server);
    for (int share : numbers) {
      tried.computeIfAbsent(share, s -> new HashSet<>()).add(server);
    }
  }

  void set(NodeId server, int share, Status status) {
    shares.computeIfAbsent(server, s -> new TreeMap<>()).put(share, status);
  }

  Status status(NodeId server, int share) {
    return shares.getOrDefault(server, Map.of()).get(share);
  }

  /** Every (server, share) currently in {@code status}. */
  Map<NodeId, Set<Integer>> in(Set<Status> statuses) {
    Map<NodeId, Set<Integer>> out = new LinkedHashMap<>();
    shares.forEach((server, map) -> map.forEach((share, st) -> {
      if (statuses.contains(st)) {
        out.computeIfAbsent(server, s -> new TreeSet<>()).add(share);
      }
    }));
    return out;
  }

  Map<NodeId, Set<Integer>> in(Status status) {
    return in(EnumSet.of(status));
  }

  int happiness(Set<Status> statuses) {
    return Happiness.of(in(statuses));
  }

  /**
   * Where the shares not yet placed should go next, by the rule in the class comment. Empty
   * when nothing needs a place or no usable server is left to ask.
   */
  Map<NodeId, Set<Integer>> plan() {
    Map<NodeId, Set<Integer>> planned = in(PLANNED);
    Map<Integer, NodeId> credited = Happiness.matching(planned);
    Set<Integer> stored = new HashSet<>();
    planned.values().forEach(stored::addAll);
    Map<NodeId, Integer> load = new HashMap<>();
    for (NodeId server : usable) {
      load.put(server, planned.getOrDefault(server, Set.of()).size());
    }
    Map<NodeId, Set<Integer>> out = new LinkedHashMap<>();
    for (int share = 0; share < n; share++) {
      if (credited.containsKey(share)) {
        continue;
      }
      boolean mustPlace = !stored.contains(share);
      NodeId best = null;
      for (NodeId server : usable) {
        if (tried.getOrDefault(share, Set.of()).contains(server)
            || status(server, share) != null
            || (!mustPlace && load.get(server) > 0)) {
          continue;
        }
        if (best == null || load.get(server) < load.get(best)
            || (load.get(server).equals(load.get(best))
                && ringIndex.get(server) < ringIndex.get(best))) {
          best = server;
        }
      }
      if (best != null) {
        out.computeIfAbsent(best, s -> new TreeSet<>()).add(share);
        load.merge(best, 1, Integer::sum);
      }
    }
    return out;
  }

  /** Share numbers not complete on any server (to be placed again). */
  Set<Integer> incomplete() {
    Set<Integer> done = new HashSet<>();
    in(COMPLETE).values().forEach(done::addAll);
    Set<Integer> out = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      if (!done.contains(i)) {
        out.add(i);
      }
    }
    return out;
  }

  int connectedCount() {
    return connected.size();
  }

  int askedCount() {
    return asked.size();
  }

  int acceptedCount() {
    Set<NodeId> accepted = new HashSet<>();
    shares.forEach((server, map) -> {
      if (map.values().stream().anyMatch(s -> s != Status.BOGUS && s != Status.FAILED)) {
        accepted.add(server);
      }
    });
    return accepted.size();
  }

  int fullCount() {
    return full.size();
  }

  Map<NodeId, String> problems() {
    return problems;
  }
}
