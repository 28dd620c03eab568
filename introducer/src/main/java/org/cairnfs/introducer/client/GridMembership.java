package org.cairnfs.introducer.client;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.introducer.NodeAddress;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.introducer.announcement.AnnouncementException;
import org.cairnfs.introducer.announcement.IssueTimeWindow;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.WireLimits;

/**
 * A node's view of the grid's storage servers: subscribes to every configured introducer,
 * merges what they push with static servers and the on-disk cache, and tells listeners when
 * the list changes.
 *
 * <p>Built so that no single introducer is needed: several may be listed, each reconnected with
 * backoff when it goes away, and the last known announcements are loaded from the cache at
 * start, so a restarted node finds the grid while every introducer is down. Announcements are
 * verified before use wherever they come from; the newest sequence per node wins. A server
 * whose newest announcement was received longer ago than the max age is dropped (static
 * servers never are). Thread-safe; listeners run on the membership's own thread.
 *
 * <p>Introducers need not be trusted, so what they push is bounded: an announcement whose issue
 * time is older than the max age or more than 10 min ahead is ignored ({@link IssueTimeWindow}),
 * and at most {@link Builder#maxServers} servers and {@link Builder#maxHeldBytes} bytes of
 * announcements are held, the servers known longest winning ({@link KnownServers},
 * {@link AnnouncementIntake}). The cache
 * file holds only what is held and is refused at load when larger.
 */
public final class GridMembership implements AutoCloseable {
  /** Default bound on the servers held. */
  public static final int DEFAULT_MAX_SERVERS = 10_000;
  /** Default bound on the encoded announcements held, as at the introducer. */
  public static final long DEFAULT_MAX_HELD_BYTES = 32L << 20;

  private final NodeKey ownKey;
  private final List<IntroducerUrl> introducers;
  private final AnnouncementCache cache;
  private final Duration maxAge;
  private final InstantSource clock;
  private final ClientOptions options;
  private final Backoff.Settings backoff;
  private final KnownServers known;
  private final AnnouncementIntake intake;
  private final List<Announcement> staticAnnouncements;
  private final ScheduledExecutorService scheduler;
  private final MembershipChanges changes;
  private final List<IntroducerLink> links = new ArrayList<>();
  private volatile boolean started;
  private volatile boolean closed;

  private GridMembership(Builder b) {
    this.ownKey = b.ownKey;
    this.introducers = List.copyOf(b.introducers);
    this.cache = b.cacheFile == null ? null
        : new AnnouncementCache(b.cacheFile, AnnouncementCache.maxBytesFor(b.maxServers, b.maxHeldBytes));
    this.maxAge = b.maxAge;
    this.clock = b.clock;
    this.options = b.options;
    this.backoff = b.backoff;
    Instant now = clock.instant();
    Map<NodeId, GridServer> statics = new HashMap<>();
    for (NodeAddress s : b.staticServers.values()) {
      statics.put(s.nodeId(), GridServer.unannounced(s.nodeId(), List.of(s.address()), now));
    }
    for (Announcement a : b.staticAnnouncements) {
      statics.put(a.nodeId(), GridServer.unannounced(a.nodeId(), a.addresses(), now));
    }
    this.known = new KnownServers(statics, b.maxServers, b.maxHeldBytes, introducers.size());
    this.intake = new AnnouncementIntake(known,
        new IssueTimeWindow(b.maxAge, IssueTimeWindow.DEFAULT_MAX_AHEAD), b.wallClock,
        b.maxServers, b.maxHeldBytes, b.allowedServers);
    this.staticAnnouncements = List.copyOf(b.staticAnnouncements);
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cairn-grid-membership");
      t.setDaemon(true);
      return t;
    });
    this.changes = new MembershipChanges(scheduler, cache, intake, b.saveDelay, this::servers);
  }

  public static Builder builder(NodeKey ownKey) {
    return new Builder(ownKey);
  }

  /**
   * Loads the cache and static announcements, then starts connecting to the introducers in the
   * background; returns at once (the list is usable immediately from cache and static entries).
   */
  public synchronized GridMembership start() {
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    Instant now = clock.instant();
    synchronized (known) {
      for (Announcement a : staticAnnouncements) {
        known.offer(a, now);
      }
      if (cache != null) {
        intake.load(cache, now, maxAge);
      }
    }
    for (IntroducerUrl url : introducers) {
      IntroducerLink link = new IntroducerLink(url, ownKey, options, scheduler, backoff.create(),
          c -> c.subscribe(pushed -> receive(url, pushed)));
      links.add(link);
      link.start();
    }
    long sweep = Math.max(1000, Math.min(60_000, maxAge.toMillis() / 4));
    scheduler.scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
    return this;
  }

  /** The servers known now (expired ones removed), ordered by node id. */
  public List<GridServer> servers() {
    synchronized (known) {
      if (known.expire(clock.instant(), maxAge)) {
        changes.changed();
      }
      return known.snapshot();
    }
  }

  /** One server by id, if known. */
  public Optional<GridServer> server(NodeId id) {
    return servers().stream().filter(s -> s.nodeId().equals(id)).findFirst();
  }

  /**
   * Whether an introducer pushed an announcement of {@code id} since {@link #start()}: a server
   * known only from the cache while introducers are connected has probably stopped.
   */
  public boolean announcedSinceStart(NodeId id) {
    synchronized (known) {
      return known.wasPushed(id);
    }
  }

  /** How long a server stays in the list without a new announcement. */
  public Duration maxAge() {
    return maxAge;
  }

  /** How many of the configured introducers are connected right now. */
  public int connectedIntroducers() {
    int n = 0;
    for (IntroducerLink l : links) {
      if (l.isConnected()) {
        n++;
      }
    }
    return n;
  }

  /** The configured introducers. */
  public List<IntroducerUrl> introducers() {
    return introducers;
  }

  /**
   * Registers a listener called with the whole new list after every change (on the membership
   * thread; keep it short). It is not called for the state at registration: read {@link #servers()}.
   */
  public void addListener(Consumer<List<GridServer>> listener) {
    changes.addListener(listener);
  }

  public void removeListener(Consumer<List<GridServer>> listener) {
    changes.removeListener(listener);
  }

  /**
   * Waits until at least {@code count} servers are known or {@code timeout} passes; returns the
   * list either way (for tests, demos and the CLI's startup).
   */
  public List<GridServer> awaitServers(int count, Duration timeout) throws InterruptedException {
    return changes.awaitServers(count, timeout);
  }

  /** Disconnects from every introducer and writes the cache a last time. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    changes.stop();
    for (IntroducerLink l : links) {
      l.close();
    }
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    changes.saveNow();
  }

  /** Called on a connection's event loop with announcement bytes pushed by {@code from}. */
  void receive(IntroducerUrl from, List<byte[]> pushed) {
    if (intake.receive(from, pushed, clock.instant())) {
      changes.changed();
    }
  }

  private void sweep() {
    boolean changed;
    synchronized (known) {
      changed = known.expire(clock.instant(), maxAge);
    }
    intake.rearmIfRoom();
    if (changed) {
      changes.changed();
    }
  }

  /** Encoded bytes of the announcements held now (for tests and status). */
  long heldBytes() {
    synchronized (known) {
      return known.heldBytes();
    }
  }

  /** Validating builder. */
  public static final class Builder {
    private final NodeKey ownKey;
    private final List<IntroducerUrl> introducers = new ArrayList<>();
    private final Map<NodeId, NodeAddress> staticServers = new LinkedHashMap<>();
    private final List<Announcement> staticAnnouncements = new ArrayList<>();
    private Path cacheFile;
    private Duration maxAge = Duration.ofDays(3);
    private InstantSource clock = InstantSource.system();
    private InstantSource wallClock = InstantSource.system();
    private ClientOptions options = ClientOptions.defaults();
    private Backoff.Settings backoff = Backoff.Settings.DEFAULT;
    private Duration saveDelay = Duration.ofSeconds(1);
    private int maxServers = DEFAULT_MAX_SERVERS;
    private long maxHeldBytes = DEFAULT_MAX_HELD_BYTES;
    private Set<NodeId> allowedServers;

    private Builder(NodeKey ownKey) {
      this.ownKey = Objects.requireNonNull(ownKey, "ownKey");
    }

    public Builder introducer(IntroducerUrl url) {
      IntroducerLink.addDistinct(introducers, url);
      return this;
    }

    public Builder introducers(List<IntroducerUrl> urls) {
      urls.forEach(this::introducer);
      return this;
    }

    /** A server the node always knows, by {@code node-id@host:port}; never aged out. */
    public Builder staticServer(NodeAddress server) {
      Objects.requireNonNull(server, "server");
      staticServers.put(server.nodeId(), server);
      return this;
    }

    /**
     * A server the node always knows, from its signed announcement bytes (verified here).
     *
     * @throws IllegalArgumentException naming why the announcement does not verify
     */
    public Builder staticAnnouncement(byte[] signed) {
      try {
        staticAnnouncements.add(Announcement.parse(signed));
      } catch (AnnouncementException e) {
        throw new IllegalArgumentException("static server announcement is invalid: " + e.getMessage(), e);
      }
      return this;
    }

    /**
     * The only storage servers taken from announcements (introducers and the cache); others are
     * ignored unread. Why: anyone who reaches an introducer can announce servers, so a grid
     * whose members are known closes itself to strangers this way. Static servers are kept
     * whatever it says. Unset or {@code null}: every announced server.
     */
    public Builder allowedServers(Set<NodeId> ids) {
      this.allowedServers = ids == null ? null : Set.copyOf(ids);
      return this;
    }

    /** Where to keep the announcement cache (typically {@code <node dir>/announcements.cache}); none if unset. */
    public Builder cacheFile(Path file) {
      this.cacheFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /** Drop a server whose newest announcement arrived longer ago than this (default 3 days). */
    public Builder maxAge(Duration d) {
      this.maxAge = positive(d, "max age");
      return this;
    }

    /** The clock of last-seen times and ageing (default the system clock). */
    public Builder clock(InstantSource c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    /**
     * The clock announcements' issue times are checked against (default the system clock). Kept
     * apart from {@link #clock}: the check compares the signer's wall clock with this machine's,
     * so a test that moves the ageing clock need not sign announcements in its fake time.
     */
    public Builder wallClock(InstantSource c) {
      this.wallClock = Objects.requireNonNull(c, "wall clock");
      return this;
    }

    public Builder clientOptions(ClientOptions o) {
      this.options = Objects.requireNonNull(o, "client options");
      return this;
    }

    /** Reconnect delays: from {@code min}, doubling, up to {@code max} (defaults 500 ms, 2 min). */
    public Builder reconnectBackoff(Duration min, Duration max) {
      this.backoff = new Backoff.Settings(min, max);
      return this;
    }

    /** How long after a change the cache is written (coalesces bursts; default 1 s). */
    public Builder saveDelay(Duration d) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException("save delay must be >= 0, got " + d);
      }
      this.saveDelay = d;
      return this;
    }

    /** At most this many servers are held (default 10 000); static ones always are. */
    public Builder maxServers(int n) {
      if (n < 1 || n > AnnouncementCache.MAX_ENTRIES) {
        throw new IllegalArgumentException("max servers must be 1.." + AnnouncementCache.MAX_ENTRIES
            + ", got " + n);
      }
      this.maxServers = n;
      return this;
    }

    /**
     * At most this many bytes of encoded announcements are held (default 32 MiB, about 3x that
     * in heap); node ids are free to mint, so the count alone bounds nothing.
     */
    public Builder maxHeldBytes(long bytes) {
      if (bytes < WireLimits.MAX_ANNOUNCEMENT || bytes > 1L << 30) {
        throw new IllegalArgumentException("max held bytes must be " + WireLimits.MAX_ANNOUNCEMENT
            + "..2^30, got " + bytes);
      }
      this.maxHeldBytes = bytes;
      return this;
    }

    public GridMembership build() {
      return new GridMembership(this);
    }

    static Duration positive(Duration d, String what) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + d);
      }
      return d;
    }
  }
}
