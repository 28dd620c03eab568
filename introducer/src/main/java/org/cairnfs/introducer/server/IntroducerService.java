package org.cairnfs.introducer.server;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.introducer.announcement.AnnouncementException;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.server.Caller;
import org.cairnfs.protocol.server.IntroducerBackend;
import org.cairnfs.protocol.server.RequestException;
import org.cairnfs.protocol.server.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The introducer's logic: verifies published announcements, keeps the newest one per node, and
 * fans every accepted update out to the open subscriptions.
 *
 * <p>The introducer is a rendezvous, not an authority: every announcement carries its node's
 * signature, so the introducer can only withhold, never forge. It therefore accepts a valid
 * announcement from any caller (relaying is harmless) and drops anything with a sequence
 * number not above the one it holds. Memory is bounded by {@code maxNodes} announcements of
 * together at most {@code maxHeldBytes} (node ids are free to mint, and one announcement may be
 * 64 KiB, so a count alone allowed 640 MiB) and {@code maxSubscribers} subscriptions; entries
 * not re-published within {@code maxAge} are forgotten. Thread-safe: one lock orders updates and pushes, so every subscriber sees the
 * updates of one node in sequence order.
 */
public final class IntroducerService implements IntroducerBackend {
  private static final Logger log = LoggerFactory.getLogger(IntroducerService.class);

  private final int maxNodes;
  private final long maxHeldBytes;
  private final int maxSubscribers;
  private final Duration maxAge;
  private final InstantSource clock;
  private final Object lock = new Object();
  private final Map<NodeId, Held> held = new HashMap<>();
  private final Set<Subscription> subscribers = new LinkedHashSet<>();
  private Instant lastSweep = Instant.MIN;
  private long heldBytes;

  private record Held(Announcement announcement, Instant receivedAt) {}

  private IntroducerService(Builder b) {
    this.maxNodes = b.maxNodes;
    this.maxHeldBytes = b.maxHeldBytes;
    this.maxSubscribers = b.maxSubscribers;
    this.maxAge = b.maxAge;
    this.clock = b.clock;
  }

  /**
   * A service with default bounds (10 000 nodes of together 32 MiB, 1 000 subscribers, 3 days
   * max age).
   */
  public static IntroducerService create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void publish(Caller caller, byte[] signedAnnouncement) throws RequestException {
    Announcement a;
    try {
      a = Announcement.parse(signedAnnouncement);
    } catch (AnnouncementException e) {
      log.debug("rejected announcement from {}: {}", caller, e.getMessage());
      throw new RequestException(ErrorCode.REJECTED, "announcement rejected: " + e.getMessage(), e);
    }
    accept(a);
  }

  /**
   * Stores a verified announcement unless it is not newer than the one held; pushes it to every
   * subscriber when stored. Returns whether it was stored.
   *
   * @throws RequestException BUSY when it is from a new node and {@code maxNodes} are held,
   *     or when holding it would take the announcements held past {@code maxHeldBytes}
   */
  public boolean accept(Announcement a) throws RequestException {
    Objects.requireNonNull(a, "announcement");
    List<byte[]> push = List.of(a.toBytes());
    synchronized (lock) {
      Instant now = clock.instant();
      sweep(now);
      Held old = held.get(a.nodeId());
      if (old != null && !a.supersedes(old.announcement())) {
        log.debug("dropped replay of {} seq {} (holding seq {})", a.nodeId().shortForm(),
            a.sequence(), old.announcement().sequence());
        return false;
      }
      if (old == null && held.size() >= maxNodes) {
        throw new RequestException(ErrorCode.BUSY, "introducer already holds the maximum of "
            + maxNodes + " nodes");
      }
      long size = push.get(0).length;
      long after = heldBytes + size - (old == null ? 0 : old.announcement().length());
      if (after > maxHeldBytes) {
        throw new RequestException(ErrorCode.BUSY, "introducer already holds " + heldBytes
            + " bytes of announcements; " + size + " more would pass its maximum of "
            + maxHeldBytes);
      }
      heldBytes = after;
      held.put(a.nodeId(), new Held(a, now));
      for (Subscription s : new ArrayList<>(subscribers)) {
        if (s.isOpen()) {
          s.push(push);
        } else {
          subscribers.remove(s);
        }
      }
      if (old == null) {
        log.info("new server {} '{}' at {}", a.nodeId().shortForm(), a.nickname(), a.addresses());
      }
      return true;
    }
  }

  @Override
  public void subscribe(Caller caller, Subscription subscription) throws RequestException {
    synchronized (lock) {
      subscribers.removeIf(s -> !s.isOpen());
      if (subscribers.size() >= maxSubscribers) {
        throw new RequestException(ErrorCode.BUSY, "introducer already serves the maximum of "
            + maxSubscribers + " subscribers");
      }
      subscribers.add(subscription);
      sweep(clock.instant());
      List<byte[]> snapshot = new ArrayList<>(held.size());
      for (Held h : held.values()) {
        snapshot.add(h.announcement().toBytes());
      }
      if (!snapshot.isEmpty()) {
        subscription.push(snapshot);
      }
    }
    subscription.onClose(() -> {
      synchronized (lock) {
        subscribers.remove(subscription);
      }
    });
    log.debug("subscriber {} added", caller);
  }

  /** The announcements held now, ordered by node id. */
  public List<Announcement> announcements() {
    synchronized (lock) {
      sweep(clock.instant());
      List<Announcement> out = new ArrayList<>(held.size());
      for (Held h : held.values()) {
        out.add(h.announcement());
      }
      out.sort(Comparator.comparing(Announcement::nodeId));
      return out;
    }
  }

  /** Open subscriptions now. */
  public int subscriberCount() {
    synchronized (lock) {
      subscribers.removeIf(s -> !s.isOpen());
      return subscribers.size();
    }
  }

  /** Forgets stale entries, at most once a minute (and whenever the clock jumps). */
  private void sweep(Instant now) {
    if (now.isBefore(lastSweep.plusSeconds(60)) && !now.isBefore(lastSweep)) {
      return;
    }
    lastSweep = now;
    Instant cutoff = now.minus(maxAge);
    held.values().removeIf(h -> {
      boolean stale = h.receivedAt().isBefore(cutoff);
      if (stale) {
        heldBytes -= h.announcement().length();
      }
      return stale;
    });
  }

  /** Validating builder for the bounds and the clock. */
  public static final class Builder {
    private int maxNodes = 10_000;
    private long maxHeldBytes = 32L << 20;
    private int maxSubscribers = 1_000;
    private Duration maxAge = Duration.ofDays(3);
    private InstantSource clock = InstantSource.system();

    private Builder() {}

    public Builder maxNodes(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("max nodes must be >= 1, got " + n);
      }
      this.maxNodes = n;
      return this;
    }

    /** Most bytes of signed announcements held, all nodes together. */
    public Builder maxHeldBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("max held bytes must be >= 1, got " + bytes);
      }
      this.maxHeldBytes = bytes;
      return this;
    }

    public Builder maxSubscribers(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("max subscribers must be >= 1, got " + n);
      }
      this.maxSubscribers = n;
      return this;
    }

    /** How long an announcement is kept without being re-published. */
    public Builder maxAge(Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("max age must be positive, got " + d);
      }
      this.maxAge = d;
      return this;
    }

    public Builder clock(InstantSource c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    public IntroducerService build() {
      return new IntroducerService(this);
    }
  }
}
