package org.cairnfs.introducer.server;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.introducer.announcement.AnnouncementException;
import org.cairnfs.introducer.announcement.IssueTimeWindow;
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
 * announcement from any caller (relaying is harmless), drops anything with a sequence number
 * not above the one it holds, and refuses announcements issued more than {@code maxAge} ago or
 * more than {@code maxClockSkew} ahead of its clock.
 *
 * <p>Bounds (all in resource-limits.md). Node ids are free to mint and connections cheap, so
 * every store-wide bound has a per-address share: at most {@code maxNodes} announcements of
 * together {@code maxHeldBytes}, of which one peer address may bring in
 * {@code maxNodesPerAddress} and {@code maxHeldBytesPerAddress}; at most
 * {@code maxSubscribers} subscriptions, one per connection and {@code maxSubscribersPerAddress}
 * per address. A node is taken at most {@code publishBurst} times at once and then once per
 * {@code minPublishInterval}; one address has at most 1 024 announcements checked at once and
 * then 64 a second, all addresses together 2 048 and then 1 024 a second, answered BUSY before
 * any check past that (a signature check costs more than sending a forged one; updates of held
 * nodes from an address past its budget share a small overflow, {@link SignatureBudget}).
 * Entries not re-published within {@code maxAge} are forgotten.
 *
 * <p>Memory: each held announcement is encoded once, into an array nobody writes; every push
 * and every snapshot refers to that array. The snapshot is one shared list (rebuilt only after
 * a change), which each subscriber walks in its own rotated order. Thread-safe: one lock orders
 * updates and pushes, so every subscriber sees the updates of one node in sequence order.
 */
public final class IntroducerService implements IntroducerBackend {
  private static final Logger log = LoggerFactory.getLogger(IntroducerService.class);
  /** Whom {@link #accept(Announcement)} charges: announcements handed in by the node itself. */
  private static final Object LOCAL = "local";

  private final int maxNodes;
  private final long maxHeldBytes;
  private final int maxNodesPerAddress;
  private final long maxHeldBytesPerAddress;
  private final int maxSubscribers;
  private final int maxSubscribersPerAddress;
  private final Duration minPublishInterval;
  private final int publishBurst;
  private final CellRate publishRate;
  private final Duration maxAge;
  private final IssueTimeWindow issueTimes;
  private final InstantSource clock;
  private final int checkBurst;
  private final int checksPerSecond;
  private final SignatureBudget signatureChecks;
  private final Object lock = new Object();
  private final Map<NodeId, Held> held = new HashMap<>();
  private final AddressShares shares = new AddressShares();
  private final Map<Subscription, Caller> subscribers = new LinkedHashMap<>();
  private final Set<Long> subscribedConnections = new HashSet<>();
  /** The held arrays as one shared list; null after a change until the next subscriber. */
  private List<byte[]> snapshot;
  private Instant lastSweep = Instant.MIN;
  private long heldBytes;

  /**
   * One held announcement: its encoded bytes (shared by every push, never written), when it
   * came, which address it is charged to, and when the node may next publish (the theoretical
   * arrival time of a generic cell rate algorithm).
   */
  private record Held(Announcement announcement, byte[] bytes, Instant receivedAt, Object owner,
      Instant paceAt) {}

  private IntroducerService(Builder b) {
    this.maxNodes = b.maxNodes;
    this.maxHeldBytes = b.maxHeldBytes;
    this.maxNodesPerAddress = Math.min(b.maxNodesPerAddress, b.maxNodes);
    this.maxHeldBytesPerAddress = Math.min(b.maxHeldBytesPerAddress, b.maxHeldBytes);
    this.maxSubscribers = b.maxSubscribers;
    this.maxSubscribersPerAddress = Math.min(b.maxSubscribersPerAddress, b.maxSubscribers);
    this.minPublishInterval = b.minPublishInterval;
    this.publishBurst = b.publishBurst;
    this.publishRate = new CellRate(b.publishBurst, b.minPublishInterval);
    this.maxAge = b.maxAge;
    this.issueTimes = new IssueTimeWindow(b.maxAge, b.maxClockSkew);
    this.clock = b.clock;
    this.checkBurst = b.checkBurst;
    this.checksPerSecond = b.checksPerSecond;
    this.signatureChecks = new SignatureBudget(
        CellRate.perSecond(b.checkBurst, b.checksPerSecond), CellRate.perSecond(16, 4),
        CellRate.perSecond(b.allChecksBurst, b.allChecksPerSecond), 65_536);
  }

  /**
   * A service with default bounds: 10 000 nodes of together 32 MiB, of which 1 000 nodes and
   * 4 MiB per address; 1 000 subscribers, one per connection and 32 per address; a node taken
   * 4 times at once, then once per 15 s; 1 024 signature checks per address at once, then 64 a
   * second, and 2 048 then 1 024 a second in all; 3 days max age; 10 min clock skew.
   */
  public static IntroducerService create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void publish(Caller caller, byte[] signedAnnouncement) throws RequestException {
    if (!signatureChecks.take(caller.peerAddress(), claimsHeldUpdate(signedAnnouncement),
        clock.instant())) {
      throw new RequestException(ErrorCode.BUSY, "the introducer checks at most " + checkBurst
          + " announcements of one address at once and then " + checksPerSecond + " a second"
          + " (and a bounded number from all addresses); address " + caller.peerAddress()
          + " or the grid is publishing faster: publish again later");
    }
    Announcement a;
    try {
      a = Announcement.parse(signedAnnouncement);
    } catch (AnnouncementException e) {
      log.debug("rejected announcement from {}: {}", caller, e.getMessage());
      throw new RequestException(ErrorCode.REJECTED, "announcement rejected: " + e.getMessage(), e);
    }
    store(caller.peerAddress(), a);
  }

  /**
   * Stores a verified announcement handed in locally (charged to no peer address) unless it is
   * not newer than the one held; pushes it to every subscriber when stored. Returns whether it
   * was stored.
   *
   * @throws RequestException REJECTED when issued too long ago or too far ahead; BUSY when a
   *     bound named in the class comment would be passed
   */
  public boolean accept(Announcement a) throws RequestException {
    return store(LOCAL, a);
  }

  /** Whether unverified bytes claim a newer version of a node held here (a cheap read). */
  private boolean claimsHeldUpdate(byte[] bytes) {
    Optional<NodeId> id = Announcement.claimedNodeId(bytes);
    java.util.OptionalLong seq = Announcement.claimedSequence(bytes);
    if (id.isEmpty() || seq.isEmpty()) {
      return false;
    }
    synchronized (lock) {
      Held h = held.get(id.get());
      return h != null && seq.getAsLong() > h.announcement().sequence();
    }
  }

  private boolean store(Object owner, Announcement a) throws RequestException {
    Objects.requireNonNull(a, "announcement");
    byte[] bytes = a.toBytes(); // the one copy, shared by every push from here on
    synchronized (lock) {
      Instant now = clock.instant();
      checkIssueTime(a, now);
      sweep(now);
      Held old = held.get(a.nodeId());
      if (old != null && !a.supersedes(old.announcement())) {
        log.debug("dropped replay of {} seq {} (holding seq {})", a.nodeId().shortForm(),
            a.sequence(), old.announcement().sequence());
        return false;
      }
      Instant paceAt = pace(a, old, now);
      Object charge = old == null ? admitNew(owner, a, bytes.length) : admitUpdate(owner, a, old,
          bytes.length);
      long oldSize = old == null ? 0 : old.bytes().length;
      if (old != null) {
        shares.addHeld(old.owner(), -1, -oldSize);
      }
      shares.addHeld(charge, 1, bytes.length);
      heldBytes += bytes.length - oldSize;
      held.put(a.nodeId(), new Held(a, bytes, now, charge, paceAt));
      snapshot = null;
      List<byte[]> push = List.of(bytes);
      for (Subscription s : new ArrayList<>(subscribers.keySet())) {
        if (s.isOpen()) {
          s.push(push);
        } else {
          forget(s);
        }
      }
      if (old == null) {
        log.info("new server {} '{}' at {}", a.nodeId().shortForm(), a.nickname(), a.addresses());
      }
      return true;
    }
  }

  private void checkIssueTime(Announcement a, Instant now) throws RequestException {
    Optional<String> fault = issueTimes.fault(a, now, "the introducer's");
    if (fault.isPresent()) {
      throw new RequestException(ErrorCode.REJECTED, fault.get() + "; the introducer relays only"
          + " fresh announcements: check the node's clock (and the introducer's) and publish a"
          + " newly signed one");
    }
  }

  /** When the node may publish next after this one; BUSY if it is publishing too often. */
  private Instant pace(Announcement a, Held old, Instant now) throws RequestException {
    Instant paceAt = old == null ? null : old.paceAt();
    Instant next = publishRate.next(paceAt, now);
    if (next == null) {
      Duration wait = publishRate.wait(paceAt, now);
      throw new RequestException(ErrorCode.BUSY, "node " + a.nodeId().shortForm()
          + " publishes too often: the introducer takes " + publishBurst + " announcements of"
          + " one node at once and then one per " + minPublishInterval.toSeconds() + " s;"
          + " publish again in " + Math.max(1, (wait.toMillis() + 999) / 1000) + " s");
    }
    return next;
  }

  /** The address a node not yet held is charged to; BUSY if a bound leaves no room for it. */
  private Object admitNew(Object owner, Announcement a, int size) throws RequestException {
    if (held.size() >= maxNodes) {
      throw new RequestException(ErrorCode.BUSY, "introducer already holds the maximum of "
          + maxNodes + " nodes; known nodes may still re-publish, new ones must wait until"
          + " entries age out (" + IssueTimeWindow.human(maxAge) + " without a re-publish)");
    }
    if (shares.nodes(owner) >= maxNodesPerAddress) {
      throw new RequestException(ErrorCode.BUSY, "address " + owner + " already brought in "
          + shares.nodes(owner) + " nodes, the most one address may (" + maxNodesPerAddress
          + "); publish the rest from their own addresses");
    }
    if (shares.bytes(owner) + size > maxHeldBytesPerAddress) {
      throw new RequestException(ErrorCode.BUSY, "address " + owner + " already brought in "
          + shares.bytes(owner) + " bytes of announcements; " + size + " more would pass the"
          + " most one address may hold (" + maxHeldBytesPerAddress + ")");
    }
    if (heldBytes + size > maxHeldBytes) {
      throw new RequestException(ErrorCode.BUSY, "introducer already holds " + heldBytes
          + " bytes of announcements; " + size + " more would pass its maximum of "
          + maxHeldBytes + "; known nodes may still re-publish, new ones must wait");
    }
    return owner;
  }

  /**
   * The address a newer announcement of a held node is charged to: the publisher's when it has
   * room, else the one the node was charged to. Updates never count against the node bounds
   * (the node is already held), so a full introducer still takes them; only growth in bytes
   * is checked.
   */
  private Object admitUpdate(Object owner, Announcement a, Held old, int size)
      throws RequestException {
    long growth = size - old.bytes().length;
    if (growth > 0 && heldBytes + growth > maxHeldBytes) {
      throw new RequestException(ErrorCode.BUSY, "introducer already holds " + heldBytes
          + " bytes of announcements; node " + a.nodeId().shortForm() + " growing by " + growth
          + " would pass its maximum of " + maxHeldBytes + "; publish a smaller announcement");
    }
    if (!owner.equals(old.owner()) && shares.nodes(owner) < maxNodesPerAddress
        && shares.bytes(owner) + size <= maxHeldBytesPerAddress) {
      return owner;
    }
    if (growth > 0 && shares.bytes(old.owner()) + growth > maxHeldBytesPerAddress) {
      throw new RequestException(ErrorCode.BUSY, "address " + old.owner() + " already holds "
          + shares.bytes(old.owner()) + " bytes of announcements; node "
          + a.nodeId().shortForm() + " growing by " + growth + " would pass the most one"
          + " address may hold (" + maxHeldBytesPerAddress + ")");
    }
    return old.owner();
  }

  @Override
  public void subscribe(Caller caller, Subscription subscription) throws RequestException {
    Objects.requireNonNull(subscription, "subscription");
    Object address = caller.peerAddress();
    synchronized (lock) {
      for (Subscription s : new ArrayList<>(subscribers.keySet())) {
        if (!s.isOpen()) {
          forget(s);
        }
      }
      if (subscribedConnections.contains(caller.connectionId())) {
        throw new RequestException(ErrorCode.BAD_REQUEST, "this connection already has a"
            + " subscription; the introducer serves one per connection (every update goes to"
            + " it): use that one, or open a new connection");
      }
      if (subscribers.size() >= maxSubscribers) {
        throw new RequestException(ErrorCode.BUSY, "introducer already serves the maximum of "
            + maxSubscribers + " subscribers; try again later");
      }
      if (shares.subscriptions(address) >= maxSubscribersPerAddress) {
        throw new RequestException(ErrorCode.BUSY, "address " + address + " already has "
            + shares.subscriptions(address) + " subscriptions, the most one address may ("
            + maxSubscribersPerAddress + "); close one first");
      }
      subscribers.put(subscription, caller);
      subscribedConnections.add(caller.connectionId());
      shares.addSubscription(address, 1);
      sweep(clock.instant());
      List<byte[]> all = snapshot();
      int offset = all.isEmpty() ? 0 : ThreadLocalRandom.current().nextInt(all.size());
      subscription.push(new RotatedList(all, offset)); // always: the first push is the snapshot
    }
    subscription.onClose(() -> {
      synchronized (lock) {
        forget(subscription);
      }
    });
    log.debug("subscriber {} added", caller);
  }

  /** The shared snapshot list, built once per change. Lock held. */
  private List<byte[]> snapshot() {
    if (snapshot == null) {
      byte[][] all = new byte[held.size()][];
      int i = 0;
      for (Held h : held.values()) {
        all[i++] = h.bytes();
      }
      snapshot = List.of(all);
    }
    return snapshot;
  }

  /** Drops a subscription and gives back its places. Lock held; idempotent. */
  private void forget(Subscription s) {
    Caller c = subscribers.remove(s);
    if (c != null) {
      subscribedConnections.remove(c.connectionId());
      shares.addSubscription(c.peerAddress(), -1);
    }
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
      for (Subscription s : new ArrayList<>(subscribers.keySet())) {
        if (!s.isOpen()) {
          forget(s);
        }
      }
      return subscribers.size();
    }
  }

  /** Bytes of announcements held now, all nodes together. */
  long heldBytes() {
    synchronized (lock) {
      return heldBytes;
    }
  }

  /** Addresses with anything charged to them (held nodes or subscriptions). */
  int chargedAddresses() {
    synchronized (lock) {
      return shares.addresses();
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
        heldBytes -= h.bytes().length;
        shares.addHeld(h.owner(), -1, -h.bytes().length);
        snapshot = null;
      }
      return stale;
    });
  }

  /** Validating builder for the bounds and the clock. */
  public static final class Builder {
    private int maxNodes = 10_000;
    private long maxHeldBytes = 32L << 20;
    private int maxNodesPerAddress = 1_000;
    private long maxHeldBytesPerAddress = 4L << 20;
    private int maxSubscribers = 1_000;
    private int maxSubscribersPerAddress = 32;
    private Duration minPublishInterval = Duration.ofSeconds(15);
    private int publishBurst = 4;
    private int checkBurst = 1024;
    private int checksPerSecond = 64;
    private int allChecksBurst = 2048;
    private int allChecksPerSecond = 1024;
    private Duration maxAge = Duration.ofDays(3);
    private Duration maxClockSkew = IssueTimeWindow.DEFAULT_MAX_AHEAD;
    private InstantSource clock = InstantSource.system();

    private Builder() {}

    public Builder maxNodes(int n) {
      this.maxNodes = atLeastOne("max nodes", n);
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

    /** Most nodes one peer address may bring in (capped at max nodes). */
    public Builder maxNodesPerAddress(int n) {
      this.maxNodesPerAddress = atLeastOne("max nodes per address", n);
      return this;
    }

    /** Most bytes of announcements one peer address may bring in (capped at max held bytes). */
    public Builder maxHeldBytesPerAddress(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("max held bytes per address must be >= 1, got "
            + bytes);
      }
      this.maxHeldBytesPerAddress = bytes;
      return this;
    }

    public Builder maxSubscribers(int n) {
      this.maxSubscribers = atLeastOne("max subscribers", n);
      return this;
    }

    /** Most open subscriptions from one peer address (capped at max subscribers). */
    public Builder maxSubscribersPerAddress(int n) {
      this.maxSubscribersPerAddress = atLeastOne("max subscribers per address", n);
      return this;
    }

    /** How often one node may publish once its burst is used (zero: no pacing). */
    public Builder minPublishInterval(Duration d) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException("min publish interval must be >= 0, got " + d);
      }
      this.minPublishInterval = d;
      return this;
    }

    /** How many announcements of one node are taken at once before the pacing applies. */
    public Builder publishBurst(int n) {
      this.publishBurst = atLeastOne("publish burst", n);
      return this;
    }

    /**
     * How many published announcements of one peer address are checked at once, and then how
     * many a second (0: no limit); more are answered BUSY before their signature is checked.
     */
    public Builder signatureChecks(int burst, int perSecond) {
      this.checkBurst = atLeastOne("signature check burst", burst);
      this.checksPerSecond = rate(perSecond);
      return this;
    }

    /** The same for all addresses together, which bounds the CPU all checks take. */
    public Builder allSignatureChecks(int burst, int perSecond) {
      this.allChecksBurst = atLeastOne("signature check burst", burst);
      this.allChecksPerSecond = rate(perSecond);
      return this;
    }

    private static int rate(int perSecond) {
      if (perSecond < 0 || perSecond > 1_000_000_000) {
        throw new IllegalArgumentException("signature checks per second must be 0 to 1e9, got "
            + perSecond);
      }
      return perSecond;
    }

    /**
     * How long an announcement is kept without being re-published, and the oldest issue time
     * accepted.
     */
    public Builder maxAge(Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("max age must be positive, got " + d);
      }
      this.maxAge = d;
      return this;
    }

    /** How far ahead of the introducer's clock an issue time may be. */
    public Builder maxClockSkew(Duration d) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException("max clock skew must be >= 0, got " + d);
      }
      this.maxClockSkew = d;
      return this;
    }

    public Builder clock(InstantSource c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    public IntroducerService build() {
      return new IntroducerService(this);
    }

    private static int atLeastOne(String what, int n) {
      if (n < 1) {
        throw new IllegalArgumentException(what + " must be >= 1, got " + n);
      }
      return n;
    }
  }
}
