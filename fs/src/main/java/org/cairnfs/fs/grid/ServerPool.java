package org.cairnfs.fs.grid;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.cairnfs.introducer.client.GridMembership;
import org.cairnfs.introducer.client.GridServer;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;

/**
 * The client's connections to the grid's storage servers, following a {@link GridMembership}:
 * a server that appears (announced, cached or static) becomes usable, one that disappears is
 * disconnected. Connections are pinned TLS (the server's node id), opened lazily on first use,
 * reopened with backoff after failures, and shared by every transfer (requests pipeline on one
 * connection).
 *
 * <p>A membership started from its announcement cache is enough: the pool needs no live
 * introducer, only the servers' addresses and ids. Thread-safe.
 */
public final class ServerPool implements AutoCloseable {
  private final GridMembership membership;
  private final NodeKey ownKey;
  private final ClientOptions options;
  private final Duration backoffMin;
  private final Duration backoffMax;
  private final InstantSource clock;
  private final ConnectPacer pacer;
  private final Map<NodeId, ServerLink> links = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler;
  private final Consumer<List<GridServer>> listener = this::sync;
  private volatile boolean closed;

  private ServerPool(Builder b) {
    this.membership = b.membership;
    this.ownKey = b.ownKey;
    this.options = b.options;
    this.backoffMin = b.backoffMin;
    this.backoffMax = b.backoffMax;
    this.clock = b.clock;
    this.pacer = b.pacer;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cairn-server-pool");
      t.setDaemon(true);
      return t;
    });
    membership.addListener(listener);
    sync(membership.servers());
  }

  public static Builder builder(GridMembership membership, NodeKey ownKey) {
    return new Builder(membership, ownKey);
  }

  /** Every known server's id, ordered by id. */
  public List<NodeId> serverIds() {
    List<NodeId> ids = new ArrayList<>(links.keySet());
    ids.sort(null);
    return ids;
  }

  /** Every known server's connection state and details, ordered by id. */
  public List<ServerStatus> status() {
    List<ServerStatus> out = new ArrayList<>();
    for (NodeId id : serverIds()) {
      ServerLink link = links.get(id);
      if (link != null) {
        out.add(link.status());
      }
    }
    return out;
  }

  /** How many servers have an open connection right now. */
  public int connectedCount() {
    int n = 0;
    for (ServerLink link : links.values()) {
      if (link.connectedClient().isPresent()) {
        n++;
      }
    }
    return n;
  }

  /**
   * An open connection to {@code server}, opened if needed. Fails with
   * {@link ServerUnavailableException} for an unknown server or one backing off after a
   * failure, or with the connect failure itself.
   */
  public CompletableFuture<StorageClient> connect(NodeId server) {
    ServerLink link = links.get(server);
    if (link == null || closed) {
      return CompletableFuture.failedFuture(
          new ServerUnavailableException(server, "not a known server of this grid"));
    }
    return link.connect();
  }

  /** The open connection to {@code server} if there is one now (opens nothing). */
  public Optional<StorageClient> connected(NodeId server) {
    ServerLink link = links.get(server);
    return link == null ? Optional.empty() : link.connectedClient();
  }

  /** The nickname of a server for messages (its short id when it has none). */
  public String describe(NodeId server) {
    ServerLink link = links.get(server);
    String nick = link == null ? "" : link.server().nickname();
    return nick.isEmpty() ? server.shortForm() : nick + " (" + server.shortForm() + ")";
  }

  /** Closes every connection; later calls fail. */
  @Override
  public void close() {
    closed = true;
    membership.removeListener(listener);
    for (ServerLink link : links.values()) {
      link.remove();
    }
    links.clear();
    scheduler.shutdownNow();
  }

  /**
   * Someone needs the grid (an upload, a mutable write, a sync): while fewer than {@code
   * wanted} servers are connected, every server this client backs off from is tried now (each
   * at most once per shortest backoff), so the operation that follows finds a grid that came
   * back. With enough servers connected it does nothing: a server that is merely gone (or
   * drops packets, so an attempt waits for the connect timeout) keeps its backoff and delays no
   * one.
   */
  public void retryUnreachable(int wanted) {
    if (connectedCount() >= wanted) {
      return;
    }
    for (ServerLink link : links.values()) {
      link.retrySoon();
    }
  }

  /**
   * A read that started at {@code since} ({@link System#nanoTime}) came up short, {@code
   * servers} among those that failed it: the ones worth asking again now ({@link
   * ServerLink#retryForRead}). Those connected, or trying in an attempt callers wait for, since
   * the read started (another read brought them back), and those backing off after refusals at
   * once (down, perhaps back by now), which try again now, at most once per shortest backoff, a
   * {@link #connect} right after waiting for that attempt. A server whose attempts fail slowly
   * (an address that drops packets, a fake) keeps its backoff: waiting for it would slow every
   * read that fails.
   */
  public Set<NodeId> retryForRead(Collection<NodeId> servers, long since) {
    Set<NodeId> trying = new HashSet<>();
    for (NodeId id : servers) {
      ServerLink link = links.get(id);
      if (link != null && link.retryForRead(since)) {
        trying.add(id);
      }
    }
    return trying;
  }

  /** Brings the links in line with the membership's list. */
  private synchronized void sync(List<GridServer> servers) {
    if (closed) {
      return;
    }
    Set<NodeId> present = new HashSet<>();
    for (GridServer s : servers) {
      present.add(s.nodeId());
      links.compute(s.nodeId(), (id, link) -> {
        if (link == null) {
          return new ServerLink(this, s);
        }
        link.update(s);
        return link;
      });
    }
    for (NodeId id : List.copyOf(links.keySet())) {
      if (!present.contains(id)) {
        ServerLink gone = links.remove(id);
        if (gone != null) {
          gone.remove();
        }
      }
    }
  }

  NodeKey ownKey() {
    return ownKey;
  }

  ClientOptions options() {
    return options;
  }

  InstantSource clock() {
    return clock;
  }

  Duration backoffMin() {
    return backoffMin;
  }

  Duration backoffMax() {
    return backoffMax;
  }

  ConnectPacer pacer() {
    return pacer;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  boolean isClosed() {
    return closed;
  }

  /** Validating builder; defaults: the protocol's default client options, backoff 0.5 to 60 s. */
  public static final class Builder {
    private final GridMembership membership;
    private final NodeKey ownKey;
    private ClientOptions options = ClientOptions.defaults();
    private Duration backoffMin = Duration.ofMillis(500);
    private Duration backoffMax = Duration.ofSeconds(60);
    private InstantSource clock = InstantSource.system();
    private ConnectPacer pacer = ConnectPacer.defaults();

    private Builder(GridMembership membership, NodeKey ownKey) {
      this.membership = Objects.requireNonNull(membership, "membership");
      this.ownKey = Objects.requireNonNull(ownKey, "ownKey");
    }

    public Builder clientOptions(ClientOptions options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    /** Reconnect delays: from {@code min}, doubling after each failure, up to {@code max}. */
    public Builder reconnectBackoff(Duration min, Duration max) {
      if (min == null || min.isNegative() || min.isZero()) {
        throw new IllegalArgumentException("min backoff must be positive, got " + min);
      }
      if (max == null || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("max backoff " + max + " is below min " + min);
      }
      this.backoffMin = min;
      this.backoffMax = max;
      return this;
    }

    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Another pace of connection attempts per host (tests). */
    Builder connectPacer(ConnectPacer pacer) {
      this.pacer = Objects.requireNonNull(pacer, "pacer");
      return this;
    }

    public ServerPool build() {
      return new ServerPool(this);
    }
  }
}
