package org.cairnfs.introducer.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.protocol.identity.NodeId;

/**
 * The merge, ageing and holding rules of a client's server list (not thread-safe; the owner
 * locks): the highest sequence per node wins whichever introducer or cache it came from; an
 * entry not refreshed by a new sequence within the max age is dropped unless the node is static.
 *
 * <p>What is held is bounded twice, because node ids are free to mint: at most {@code
 * maxServers} servers and at most {@code maxBytes} bytes of encoded announcements. When a bound
 * is reached the servers known longest win: a new node id is refused (it never evicts anyone),
 * and an update of a held node that no longer fits evicts only servers first admitted after it,
 * newest first, or is refused if that does not make room. A flood of minted ids therefore
 * cannot push out the servers known before it. Static servers are always admitted and never
 * evicted.
 */
final class KnownServers {
  /** What {@link #offer} did. */
  enum Offer {
    /** A node not held before was admitted. */
    ADDED,
    /** A held node's announcement was replaced by a higher sequence. */
    UPDATED,
    /** Not a higher sequence than the one held: nothing changed. */
    NOT_NEWER,
    /** Refused: holding it would pass {@code maxServers} or {@code maxBytes}. */
    FULL;

    boolean changed() {
      return this == ADDED || this == UPDATED;
    }
  }

  /** One held server and its admission rank (lower = known longer). */
  private record Held(GridServer server, long rank) {
    long bytes() {
      return server.announcement().map(Announcement::length).orElse(0);
    }
  }

  private final Map<NodeId, Held> servers = new HashMap<>();
  private final NavigableMap<Long, NodeId> byRank = new TreeMap<>();
  private final Set<NodeId> staticIds;
  private final Set<NodeId> pushed = new HashSet<>();
  private final int maxServers;
  private final long maxBytes;
  private long heldBytes;
  private long nextRank;

  KnownServers(Map<NodeId, GridServer> staticServers, int maxServers, long maxBytes) {
    this.staticIds = Set.copyOf(staticServers.keySet());
    this.maxServers = maxServers;
    this.maxBytes = maxBytes;
    staticServers.values().stream().sorted(Comparator.comparing(GridServer::nodeId)).forEach(this::admit);
  }

  /** Offers an announcement received at {@code seenAt}. */
  Offer offer(Announcement a, Instant seenAt) {
    NodeId id = a.nodeId();
    Held old = servers.get(id);
    if (old != null && old.server().announcement().isPresent() && a.sequence() <= old.server().sequence()) {
      return Offer.NOT_NEWER;
    }
    boolean isStatic = staticIds.contains(id);
    GridServer next = GridServer.of(a, seenAt, isStatic);
    if (old == null) {
      if (refusesNew(id, a.length())) {
        return Offer.FULL;
      }
      admit(next);
      return Offer.ADDED;
    }
    long after = heldBytes - old.bytes() + a.length();
    if (!isStatic && after > maxBytes && !evictAdmittedAfter(old.rank(), after - maxBytes)) {
      return Offer.FULL;
    }
    heldBytes += a.length() - old.bytes();
    servers.put(id, new Held(next, old.rank()));
    return Offer.UPDATED;
  }

  /**
   * Whether an announcement of {@code length} bytes of a node not held would be refused for
   * lack of room whatever it says: then it need not even be verified.
   */
  boolean refusesNew(NodeId id, int length) {
    return !servers.containsKey(id) && !staticIds.contains(id)
        && (servers.size() >= maxServers || heldBytes + length > maxBytes);
  }

  /** Records that an introducer pushed {@code id}; remembered only while the node is held. */
  void markPushed(NodeId id) {
    if (servers.containsKey(id)) {
      pushed.add(id);
    }
  }

  /** Whether {@code id} is held and was pushed by an introducer since this list was made. */
  boolean wasPushed(NodeId id) {
    return pushed.contains(id);
  }

  /** Drops non-static entries last seen before {@code now - maxAge}; true if any went. */
  boolean expire(Instant now, Duration maxAge) {
    Instant cutoff = now.minus(maxAge);
    List<NodeId> stale = new ArrayList<>();
    for (Held h : servers.values()) {
      if (!h.server().isStatic() && h.server().lastSeen().isBefore(cutoff)) {
        stale.add(h.server().nodeId());
      }
    }
    stale.forEach(this::remove);
    return !stale.isEmpty();
  }

  /** All servers, ordered by node id. */
  List<GridServer> snapshot() {
    List<GridServer> out = new ArrayList<>(servers.size());
    servers.values().forEach(h -> out.add(h.server()));
    out.sort(Comparator.comparing(GridServer::nodeId));
    return out;
  }

  /** All servers, known longest first: the order a cache keeps so a reload keeps the priority. */
  List<GridServer> inAdmissionOrder() {
    List<GridServer> out = new ArrayList<>(servers.size());
    byRank.values().forEach(id -> out.add(servers.get(id).server()));
    return out;
  }

  int size() {
    return servers.size();
  }

  /** Bytes of the encoded announcements held (static ones included). */
  long heldBytes() {
    return heldBytes;
  }

  private void admit(GridServer s) {
    Held h = new Held(s, nextRank++);
    servers.put(s.nodeId(), h);
    byRank.put(h.rank(), s.nodeId());
    heldBytes += h.bytes();
  }

  private void remove(NodeId id) {
    Held h = servers.remove(id);
    if (h != null) {
      byRank.remove(h.rank());
      pushed.remove(id);
      heldBytes -= h.bytes();
    }
  }

  /**
   * Frees at least {@code needed} bytes by evicting non-static servers admitted after {@code
   * rank}, newest first; evicts nothing and returns false if they do not hold enough.
   */
  private boolean evictAdmittedAfter(long rank, long needed) {
    List<NodeId> victims = new ArrayList<>();
    long freed = 0;
    for (NodeId id : byRank.tailMap(rank, false).descendingMap().values()) {
      if (freed >= needed) {
        break;
      }
      if (!staticIds.contains(id)) {
        victims.add(id);
        freed += servers.get(id).bytes();
      }
    }
    if (freed < needed) {
      return false;
    }
    victims.forEach(this::remove);
    return true;
  }
}
