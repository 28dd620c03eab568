package org.cairnfs.introducer.server;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 *
 * <p>This class checks and orders; {@link HeldAnnouncements} holds, {@link PublishPacer} paces,
 * {@link Subscribers} serves, all under its lock.
 */
public final class IntroducerService implements IntroducerBackend {
  private static final Logger log = LoggerFactory.getLogger(IntroducerService.class);
  /** Whom {@link #accept(Announcement)} charges: announcements handed in by the node itself. */
  private static final Object LOCAL = "local";

  private final IssueTimeWindow issueTimes;
  private final InstantSource clock;
  private final int checkBurst;
  private final int checksPerSecond;
  private final SignatureBudget signatureChecks;
  private final PublishPacer pacer;
  /** Orders updates and pushes; guards everything below. */
  private final Object lock = new Object();
  private final AddressShares shares = new AddressShares();
  private final HeldAnnouncements held;
  private final Subscribers subscribers;

  private IntroducerService(Builder b) {
    this.issueTimes = new IssueTimeWindow(b.maxAge, b.maxClockSkew);
    this.clock = b.clock;
    this.checkBurst = b.checkBurst;
    this.checksPerSecond = b.checksPerSecond;
    this.signatureChecks = new SignatureBudget(
        CellRate.perSecond(b.checkBurst, b.checksPerSecond), CellRate.perSecond(16, 4),
        CellRate.perSecond(b.allChecksBurst, b.allChecksPerSecond), 65_536);
    this.pacer = new PublishPacer(b.publishBurst, b.minPublishInterval);
    this.held = new HeldAnnouncements(b.maxNodes, b.maxHeldBytes, b.maxNodesPerAddress,
        b.maxHeldBytesPerAddress, b.maxAge, shares);
    this.subscribers = new Subscribers(b.maxSubscribers, b.maxSubscribersPerAddress, shares);
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
      HeldAnnouncements.Held h = held.get(id.get());
      return h != null && seq.getAsLong() > h.announcement().sequence();
    }
  }

  private boolean store(Object owner, Announcement a) throws RequestException {
    Objects.requireNonNull(a, "announcement");
    byte[] bytes = a.toBytes(); // the one copy, shared by every push from here on
    synchronized (lock) {
      Instant now = clock.instant();
      checkIssueTime(a, now);
      held.sweep(now);
      HeldAnnouncements.Held old = held.get(a.nodeId());
      if (old != null && !a.supersedes(old.announcement())) {
        log.debug("dropped replay of {} seq {} (holding seq {})", a.nodeId().shortForm(),
            a.sequence(), old.announcement().sequence());
        return false;
      }
      Instant paceAt = pacer.next(a.nodeId(), old == null ? null : old.paceAt(), now);
      held.put(owner, a, bytes, now, paceAt);
      subscribers.push(List.of(bytes));
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

  @Override
  public void subscribe(Caller caller, Subscription subscription) throws RequestException {
    Objects.requireNonNull(subscription, "subscription");
    synchronized (lock) {
      subscribers.add(caller, subscription);
      held.sweep(clock.instant());
      Subscribers.pushSnapshot(subscription, held.snapshot());
    }
    subscription.onClose(() -> {
      synchronized (lock) {
        subscribers.forget(subscription);
      }
    });
    log.debug("subscriber {} added", caller);
  }

  /** The announcements held now, ordered by node id. */
  public List<Announcement> announcements() {
    synchronized (lock) {
      held.sweep(clock.instant());
      return held.announcements();
    }
  }

  /** Open subscriptions now. */
  public int subscriberCount() {
    synchronized (lock) {
      return subscribers.count();
    }
  }

  /** Bytes of announcements held now, all nodes together. */
  long heldBytes() {
    synchronized (lock) {
      return held.bytes();
    }
  }

  /** Addresses with anything charged to them (held nodes or subscriptions). */
  int chargedAddresses() {
    synchronized (lock) {
      return shares.addresses();
    }
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
