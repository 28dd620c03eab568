package org.cairnfs.introducer.client;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.introducer.announcement.NodeSigner;
import org.cairnfs.introducer.announcement.ServerDetails;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.ProtocolClient;
import org.cairnfs.protocol.identity.NodeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A storage server's side of the introducer: signs its announcement with the node key and keeps
 * every configured introducer holding a fresh one.
 *
 * <p>A new announcement (sequence + 1, current free space) is signed on every (re)connection and
 * every republish interval, so introducers and clients never age out a live server and see its
 * free space within one interval. Sequence numbers are {@code max(previous + 1, clock millis)}:
 * they keep growing across restarts without any state on disk, as long as the clock does not
 * run backwards by more than the restart takes.
 */
public final class AnnouncementPublisher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AnnouncementPublisher.class);

  private final NodeKey ownKey;
  private final NodeSigner signer;
  private final List<IntroducerUrl> introducers;
  private final String nickname;
  private final List<HostPort> addresses;
  private final String softwareVersion;
  private final LongSupplier freeSpace;
  private final Duration republishInterval;
  private final InstantSource clock;
  private final ClientOptions options;
  private final Backoff.Settings backoff;
  private final ScheduledExecutorService scheduler;
  private final List<IntroducerLink> links = new ArrayList<>();
  private Announcement current;
  private volatile boolean closed;

  private AnnouncementPublisher(Builder b) {
    this.ownKey = b.ownKey;
    this.signer = b.signer != null ? b.signer : NodeSigner.of(b.ownKey);
    if (!org.cairnfs.protocol.identity.NodeId.ofPublicKey(signer.publicKey()).equals(ownKey.nodeId())) {
      throw new IllegalArgumentException("the announcement signer's key is not the node's TLS key");
    }
    this.introducers = List.copyOf(b.introducers);
    this.nickname = b.nickname;
    this.addresses = List.copyOf(b.addresses);
    this.softwareVersion = b.softwareVersion;
    this.freeSpace = b.freeSpace;
    this.republishInterval = b.republishInterval;
    this.clock = b.clock;
    this.options = b.options;
    this.backoff = b.backoff;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cairn-announcement-publisher");
      t.setDaemon(true);
      return t;
    });
    refresh();
  }

  public static Builder builder(NodeKey ownKey) {
    return new Builder(ownKey);
  }

  /** Connects to every introducer in the background and publishes; returns at once. */
  public synchronized AnnouncementPublisher start() {
    if (!links.isEmpty()) {
      throw new IllegalStateException("already started");
    }
    for (IntroducerUrl url : introducers) {
      IntroducerLink link = new IntroducerLink(url, ownKey, options, scheduler, backoff.create(),
          c -> c.publish(refresh().toBytes()));
      links.add(link);
      link.start();
    }
    long every = republishInterval.toMillis();
    scheduler.scheduleWithFixedDelay(this::republish, every, every, TimeUnit.MILLISECONDS);
    return this;
  }

  /** The newest announcement signed. */
  public synchronized Announcement current() {
    return current;
  }

  /**
   * Signs a new announcement now (fresh free space) and sends it to every connected introducer;
   * the future completes when all of them have acknowledged (failures are logged, not raised).
   */
  public CompletableFuture<Void> publishNow() {
    byte[] bytes = refresh().toBytes();
    List<CompletableFuture<?>> sent = new ArrayList<>();
    for (IntroducerLink l : links) {
      ProtocolClient c = l.client();
      if (c != null) {
        sent.add(c.publish(bytes).exceptionally(e -> {
          log.warn("publishing to introducer {} failed: {}", l.url().address(), e.toString());
          return null;
        }));
      }
    }
    return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
  }

  /** How many introducers are connected (and were published to on connecting). */
  public int connectedIntroducers() {
    int n = 0;
    for (IntroducerLink l : links) {
      if (l.isConnected()) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (IntroducerLink l : links) {
      l.close();
    }
    scheduler.shutdownNow();
  }

  private void republish() {
    if (!closed) {
      publishNow();
    }
  }

  private synchronized Announcement refresh() {
    long previous = current == null ? -1 : current.sequence();
    long sequence = Math.max(previous + 1, clock.millis());
    long free = Math.max(0, freeSpace.getAsLong());
    current = Announcement.sign(new ServerDetails(nickname, addresses, free, softwareVersion,
        sequence, clock.instant()), signer);
    return current;
  }

  /** Validating builder; nickname, addresses, version and a free-space source are required. */
  public static final class Builder {
    private final NodeKey ownKey;
    private NodeSigner signer;
    private final List<IntroducerUrl> introducers = new ArrayList<>();
    private String nickname = "";
    private final List<HostPort> addresses = new ArrayList<>();
    private String softwareVersion;
    private LongSupplier freeSpace;
    private Duration republishInterval = Duration.ofMinutes(10);
    private InstantSource clock = InstantSource.system();
    private ClientOptions options = ClientOptions.defaults();
    private Backoff.Settings backoff = Backoff.Settings.DEFAULT;

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

    /** Signs with this instead of the node key's own private half (must be the same key). */
    public Builder signer(NodeSigner s) {
      this.signer = Objects.requireNonNull(s, "signer");
      return this;
    }

    public Builder nickname(String n) {
      if (n == null || n.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > ServerDetails.MAX_NICKNAME) {
        throw new IllegalArgumentException("nickname must be at most " + ServerDetails.MAX_NICKNAME
            + " UTF-8 bytes, got '" + n + "'");
      }
      this.nickname = n;
      return this;
    }

    /** An address clients should dial (the server's public host and listening port). */
    public Builder address(HostPort a) {
      if (addresses.size() >= ServerDetails.MAX_ADDRESSES) {
        throw new IllegalArgumentException("at most " + ServerDetails.MAX_ADDRESSES + " addresses");
      }
      addresses.add(Objects.requireNonNull(a, "address"));
      return this;
    }

    public Builder softwareVersion(String v) {
      this.softwareVersion = Objects.requireNonNull(v, "software version");
      return this;
    }

    /** Asked for the free space (bytes) each time an announcement is signed. */
    public Builder freeSpace(LongSupplier s) {
      this.freeSpace = Objects.requireNonNull(s, "free space source");
      return this;
    }

    /** How often a fresh announcement is sent to every introducer (default 10 minutes). */
    public Builder republishInterval(Duration d) {
      this.republishInterval = GridMembership.Builder.positive(d, "republish interval");
      return this;
    }

    public Builder clock(InstantSource c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    public Builder clientOptions(ClientOptions o) {
      this.options = Objects.requireNonNull(o, "client options");
      return this;
    }

    public Builder reconnectBackoff(Duration min, Duration max) {
      this.backoff = new Backoff.Settings(min, max);
      return this;
    }

    /**
     * Builds and signs the first announcement (so bad details fail here, not in the background).
     *
     * @throws IllegalStateException naming a missing setting
     * @throws IllegalArgumentException naming a detail out of bounds
     */
    public AnnouncementPublisher build() {
      if (addresses.isEmpty()) {
        throw new IllegalStateException("a publisher needs at least one address");
      }
      if (softwareVersion == null) {
        throw new IllegalStateException("a publisher needs a software version");
      }
      if (freeSpace == null) {
        throw new IllegalStateException("a publisher needs a free-space source");
      }
      return new AnnouncementPublisher(this);
    }
  }
}
