package org.cairnfs.introducer.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.cairnfs.introducer.IntroducerUrl;
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
 *
 * <p>With several introducers, each has a fair share of both bounds (1/m of each for m
 * introducers), so one hostile introducer reached first cannot keep the others' servers out. A
 * server counts against the introducer that first pushed it (a cached or static one against
 * none until an introducer pushes it). When the list is full, a new server from an introducer
 * under its share evicts the newest servers of introducers over theirs; servers counted against
 * no introducer, or against one within its share, are never evicted for it.
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

  /** One held server, its admission rank (lower = known longer) and the introducer it counts against. */
  private record Held(GridServer server, long rank, Optional<IntroducerUrl> source) {
    long bytes() {
      return server.announcement().map(Announcement::length).orElse(0);
    }
  }

  /** What the servers counted against one introducer hold. */
  private static final class Share {
    final NavigableMap<Long, NodeId> byRank = new TreeMap<>();
    long bytes;
  }

  private final Map<NodeId, Held> servers = new HashMap<>();
  private final NavigableMap<Long, NodeId> byRank = new TreeMap<>();
  private final Set<NodeId> staticIds;
  private final Set<NodeId> pushed = new HashSet<>();
  private final int maxServers;
  private final long maxBytes;
  private final int fairServers;
  private final long fairBytes;
  private final boolean shared;
  private final Map<IntroducerUrl, Share> shares = new HashMap<>();
  private long heldBytes;
  private long nextRank;

  KnownServers(Map<NodeId, GridServer> staticServers, int maxServers, long maxBytes) {
    this(staticServers, maxServers, maxBytes, 1);
  }

  /** A list fed by {@code introducers} introducers, each with a fair share of both bounds. */
  KnownServers(Map<NodeId, GridServer> staticServers, int maxServers, long maxBytes, int introducers) {
    this.staticIds = Set.copyOf(staticServers.keySet());
    this.maxServers = maxServers;
    this.maxBytes = maxBytes;
    this.shared = introducers > 1;
    this.fairServers = maxServers / Math.max(1, introducers);
    this.fairBytes = maxBytes / Math.max(1, introducers);
    staticServers.values().stream().sorted(Comparator.comparing(GridServer::nodeId))
        .forEach(s -> admit(s, Optional.empty()));
  }

  /** Offers an announcement received at {@code seenAt} from the cache or configuration. */
  Offer offer(Announcement a, Instant seenAt) {
    return offer(a, seenAt, Optional.empty());
  }

  /** Offers an announcement that introducer {@code from} pushed, received at {@code seenAt}. */
  Offer offer(Announcement a, Instant seenAt, IntroducerUrl from) {
    return offer(a, seenAt, Optional.of(from));
  }

  private Offer offer(Announcement a, Instant seenAt, Optional<IntroducerUrl> from) {
    NodeId id = a.nodeId();
    Held old = servers.get(id);
    if (old != null && old.server().announcement().isPresent() && a.sequence() <= old.server().sequence()) {
      return Offer.NOT_NEWER;
    }
    boolean isStatic = staticIds.contains(id);
    GridServer next = GridServer.of(a, seenAt, isStatic);
    if (old == null) {
      if (!isStatic && !fits(a.length()) && !evictOverShares(from, a.length())) {
        return Offer.FULL;
      }
      admit(next, isStatic ? Optional.empty() : from);
      return Offer.ADDED;
    }
    long after = heldBytes - old.bytes() + a.length();
    if (!isStatic && after > maxBytes && !evictAdmittedAfter(old.rank(), after - maxBytes)) {
      return Offer.FULL;
    }
    Held updated = new Held(next, old.rank(), old.source());
    count(old, -1);
    servers.put(id, updated);
    count(updated, +1);
    return Offer.UPDATED;
  }

  /**
   * Whether an announcement of {@code length} bytes of a node not held, pushed by {@code from},
   * would be refused for lack of room whatever it says: then it need not even be verified.
   */
  boolean refusesNew(NodeId id, int length, IntroducerUrl from) {
    return !servers.containsKey(id) && !staticIds.contains(id) && !fits(length)
        && !(underShare(Optional.of(from), length) && shares.keySet().stream().anyMatch(this::overShare));
  }

  /**
   * Records that introducer {@code from} pushed {@code id}; remembered only while the node is
   * held. A held server counted against no introducer now counts against this one.
   */
  void markPushed(NodeId id, IntroducerUrl from) {
    Held h = servers.get(id);
    if (h == null) {
      return;
    }
    pushed.add(id);
    if (h.source().isEmpty() && !staticIds.contains(id)) {
      Held attributed = new Held(h.server(), h.rank(), Optional.of(from));
      count(h, -1);
      servers.put(id, attributed);
      count(attributed, +1);
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

  /** Servers counted against {@code source} (0 for none). */
  int countedAgainst(IntroducerUrl source) {
    Share s = shares.get(source);
    return s == null ? 0 : s.byRank.size();
  }

  private boolean fits(int length) {
    return servers.size() < maxServers && heldBytes + length <= maxBytes;
  }

  private boolean underShare(Optional<IntroducerUrl> source, int length) {
    if (!shared || source.isEmpty()) {
      return false;
    }
    Share s = shares.get(source.get());
    return s == null || (s.byRank.size() < fairServers && s.bytes + length <= fairBytes);
  }

  private boolean overShare(IntroducerUrl source) {
    Share s = shares.get(source);
    return s != null && (s.byRank.size() > fairServers || s.bytes > fairBytes);
  }

  /**
   * Makes room for a new server of {@code length} bytes from {@code from}, if it is under its
   * share, by evicting the newest servers of introducers over theirs; evicts nothing and returns
   * false if they do not hold enough.
   */
  private boolean evictOverShares(Optional<IntroducerUrl> from, int length) {
    if (!underShare(from, length)) {
      return false;
    }
    Map<IntroducerUrl, long[]> left = new HashMap<>(); // servers, bytes once the victims go
    Map<IntroducerUrl, Iterator<NodeId>> newestFirst = new HashMap<>();
    shares.forEach((url, s) -> {
      left.put(url, new long[] {s.byRank.size(), s.bytes});
      newestFirst.put(url, s.byRank.descendingMap().values().iterator());
    });
    List<NodeId> victims = new ArrayList<>();
    long servers = this.servers.size();
    long bytes = heldBytes;
    while (servers >= maxServers || bytes + length > maxBytes) {
      IntroducerUrl most = null;
      for (Map.Entry<IntroducerUrl, long[]> e : left.entrySet()) {
        long[] l = e.getValue();
        if ((l[0] > fairServers || l[1] > fairBytes) && (most == null || l[0] > left.get(most)[0])) {
          most = e.getKey();
        }
      }
      if (most == null) {
        return false;
      }
      NodeId victim = newestFirst.get(most).next();
      long victimBytes = this.servers.get(victim).bytes();
      victims.add(victim);
      left.get(most)[0]--;
      left.get(most)[1] -= victimBytes;
      servers--;
      bytes -= victimBytes;
    }
    victims.forEach(this::remove);
    return true;
  }

  private void admit(GridServer s, Optional<IntroducerUrl> source) {
    Held h = new Held(s, nextRank++, source);
    servers.put(s.nodeId(), h);
    byRank.put(h.rank(), s.nodeId());
    count(h, +1);
  }

  private void remove(NodeId id) {
    Held h = servers.remove(id);
    if (h != null) {
      byRank.remove(h.rank());
      pushed.remove(id);
      count(h, -1);
    }
  }

  /** Adds ({@code sign} +1) or takes away (-1) a held server in the totals and its introducer's share. */
  private void count(Held h, int sign) {
    heldBytes += sign * h.bytes();
    if (h.source().isEmpty()) {
      return;
    }
    IntroducerUrl url = h.source().get();
    Share s = shares.computeIfAbsent(url, u -> new Share());
    s.bytes += sign * h.bytes();
    if (sign > 0) {
      s.byRank.put(h.rank(), h.server().nodeId());
    } else {
      s.byRank.remove(h.rank());
    }
    if (s.byRank.isEmpty()) {
      shares.remove(url);
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
