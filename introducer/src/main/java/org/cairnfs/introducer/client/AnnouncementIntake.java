package org.cairnfs.introducer.client;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.introducer.announcement.AnnouncementException;
import org.cairnfs.introducer.announcement.IssueTimeWindow;
import org.cairnfs.protocol.identity.NodeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client lets into its {@link KnownServers} from untrusted sources (introducers and the
 * cache file): verified announcements whose issue time is in the {@link IssueTimeWindow}, of
 * the allowed servers when the node names them, as far as the list's limits allow. Each kind of
 * refusal is logged without letting a hostile introducer flood the log: bad and stale
 * announcements at most once a minute, a full list once per introducer until the list has room
 * again. Locks on the {@code KnownServers} it feeds, as its owner does.
 */
final class AnnouncementIntake {
  private static final Logger log = LoggerFactory.getLogger(GridMembership.class);
  private static final Duration WARNING_INTERVAL = Duration.ofMinutes(1);

  private final KnownServers known;
  private final IssueTimeWindow window;
  private final InstantSource wallClock;
  private final int maxServers;
  private final long maxHeldBytes;
  /** The only servers let in from announcements (immutable), or {@code null} for any. */
  private final Set<NodeId> allowed;
  /** Introducers already warned about for filling the list (until it has room again). */
  private final Set<IntroducerUrl> warnedFull = ConcurrentHashMap.newKeySet();
  private final ThrottledWarning badWarning = new ThrottledWarning(log, WARNING_INTERVAL);
  private final ThrottledWarning issueTimeWarning = new ThrottledWarning(log, WARNING_INTERVAL);

  AnnouncementIntake(KnownServers known, IssueTimeWindow window, InstantSource wallClock,
      int maxServers, long maxHeldBytes, Set<NodeId> allowed) {
    this.known = known;
    this.window = window;
    this.wallClock = wallClock;
    this.maxServers = maxServers;
    this.maxHeldBytes = maxHeldBytes;
    this.allowed = allowed;
  }

  /** Offers announcement bytes pushed by {@code from}, received at {@code now}; true if the list changed. */
  boolean receive(IntroducerUrl from, List<byte[]> pushed, Instant now) {
    Instant wallNow = wallClock.instant();
    List<Announcement> believed = new ArrayList<>(pushed.size());
    int refused = 0;
    for (byte[] bytes : pushed) {
      if (notAllowed(bytes)) {
        continue; // not one of this node's servers: no signature check, no log line
      }
      if (refusedUnread(from, bytes)) {
        refused++;
        continue;
      }
      try {
        Announcement a = Announcement.parse(bytes);
        Optional<String> fault = window.fault(a, wallNow, "this node's");
        if (fault.isPresent()) {
          issueTimeWarning.warn(wallNow, "ignoring an announcement from introducer " + from.address()
              + ": " + fault.get());
        } else {
          believed.add(a);
        }
      } catch (AnnouncementException e) {
        badWarning.warn(wallNow, "ignoring a bad announcement from introducer " + from.address()
            + ": " + e.getMessage());
      }
    }
    boolean changed = false;
    synchronized (known) {
      for (Announcement a : believed) {
        KnownServers.Offer o = known.offer(a, now, from);
        changed |= o.changed();
        if (o == KnownServers.Offer.FULL) {
          refused++;
        }
        known.markPushed(a.nodeId(), from);
      }
    }
    if (refused > 0 && warnedFull.add(from)) {
      log.warn("introducer {} pushed more servers than this node holds (at most {} servers and {} bytes"
          + " of announcements, shared fairly among its introducers): ignoring its new servers while"
          + " the list is full; servers already known and their updates are kept. A flood of new"
          + " node ids means a hostile or broken introducer", from, maxServers, maxHeldBytes);
    }
    return changed;
  }

  /**
   * Offers the cache's entries in file order (known longest first), skipping those outside the
   * issue-time window, then drops those last seen longer than {@code maxAge} ago.
   */
  void load(AnnouncementCache cache, Instant now, Duration maxAge) {
    Instant wallNow = wallClock.instant();
    int loaded = 0;
    int stale = 0;
    int full = 0;
    synchronized (known) {
      for (AnnouncementCache.Entry e : cache.load()) {
        if (!admits(e.announcement().nodeId())) {
          continue; // cached before the list was set
        }
        if (window.fault(e.announcement(), wallNow, "this node's").isPresent()) {
          stale++;
          continue;
        }
        Instant seen = e.lastSeen().isAfter(now) ? now : e.lastSeen();
        KnownServers.Offer o = known.offer(e.announcement(), seen);
        if (o.changed()) {
          loaded++;
        } else if (o == KnownServers.Offer.FULL) {
          full++;
        }
      }
      known.expire(now, maxAge);
    }
    log.info("loaded {} servers from the announcement cache {}", loaded, cache.file());
    if (stale > 0) {
      log.warn("skipped {} cached announcements issued longer ago than {} or more than {} min ahead",
          stale, maxAge, window.maxAhead().toMinutes());
    }
    if (full > 0) {
      log.warn("skipped {} cached announcements past the limit of {} servers and {} bytes", full,
          maxServers, maxHeldBytes);
    }
  }

  /** What to write to a cache of at most {@code maxBytes}: the held announcements, known longest first. */
  List<AnnouncementCache.Entry> cacheEntries(long maxBytes) {
    List<AnnouncementCache.Entry> entries = new ArrayList<>();
    long room = maxBytes - AnnouncementCache.HEADER_BYTES;
    synchronized (known) {
      for (GridServer s : known.inAdmissionOrder()) {
        if (s.announcement().isEmpty()) {
          continue;
        }
        Announcement a = s.announcement().get();
        room -= AnnouncementCache.ENTRY_OVERHEAD + a.length();
        if (room < 0) {
          break; // only static announcements past the limits get here; they need no cache
        }
        entries.add(new AnnouncementCache.Entry(a, s.lastSeen()));
      }
    }
    return entries;
  }

  /** Warns again about an introducer that fills the list once it is below 3/4 of both limits. */
  void rearmIfRoom() {
    synchronized (known) {
      if (known.size() < maxServers / 4 * 3 && known.heldBytes() < maxHeldBytes / 4 * 3) {
        warnedFull.clear();
      }
    }
  }

  /**
   * Whether a pushed announcement claims a node id outside the allowed servers. The claim is
   * unverified, which is safe as in {@link #refusedUnread}: one claiming an allowed id is still
   * verified, and one claiming another id is skipped either way.
   */
  private boolean notAllowed(byte[] bytes) {
    if (allowed == null) {
      return false;
    }
    Optional<NodeId> claimed = Announcement.claimedNodeId(bytes);
    return claimed.isPresent() && !admits(claimed.get());
  }

  private boolean admits(NodeId id) {
    return allowed == null || allowed.contains(id);
  }

  /**
   * Whether a pushed announcement would be refused for lack of room by the node id it claims:
   * a flood of new ids then costs no signature checks. The claim is unverified, but that is
   * safe: a valid announcement is of the node it claims, so only announcements that would be
   * refused anyway (or fail verification) are skipped.
   */
  private boolean refusedUnread(IntroducerUrl from, byte[] bytes) {
    Optional<NodeId> claimed = Announcement.claimedNodeId(bytes);
    if (claimed.isEmpty()) {
      return false;
    }
    synchronized (known) {
      return known.refusesNew(claimed.get(), bytes.length, from);
    }
  }
}
