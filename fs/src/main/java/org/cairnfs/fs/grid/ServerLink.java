package org.cairnfs.fs.grid;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.client.Backoff;
import org.cairnfs.introducer.client.GridServer;
import org.cairnfs.protocol.client.StorageClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's connection to one storage server: opened on first use, reopened with doubling
 * backoff after a failure or a drop (in the background, so it is ready the next time), closed
 * when the server leaves the grid. While backing off, callers fail at once instead of waiting on
 * a server that just failed; so they do while the background retries a server never reached
 * whose attempts fail slowly (an announced address where nothing answers would otherwise cost
 * every operation that meets it a wait; one that refuses at once is cheap to wait for).
 * Thread-safe; state changes under this object's lock.
 */
final class ServerLink {
  private static final Logger log = LoggerFactory.getLogger(ServerLink.class);
  /** An attempt that failed after this long makes a never-reached server one not waited for. */
  static final long SLOW_FAILURE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final ServerPool pool;
  private volatile GridServer server;
  private ConnectionState state = ConnectionState.IDLE;
  private Instant since;
  private String lastError;
  private Instant nextAttempt;
  private final Backoff backoff;
  private CompletableFuture<StorageClient> current;
  private ScheduledFuture<?> retry;
  /** Which scheduled retry is the live one: a retry that fired before being replaced does nothing. */
  private long retryToken;
  /** An announcement already brought an attempt forward since the link last connected. */
  private boolean broughtForward;
  /** When someone waiting for the grid last made this link try at once ({@link #retrySoon}). */
  private Instant askedAt;
  private boolean removed;
  /** Whether the link ever connected. */
  private boolean everConnected;
  /** The attempt under way is the backoff's own retry: nobody asked for it. */
  private boolean backgroundAttempt;
  /** The next attempt was brought forward by a new announcement: callers wait for it. */
  private boolean nextAttemptAnnounced;
  /** When the attempt under way started ({@link System#nanoTime}). */
  private long attemptStarted;
  /** When the link last connected ({@link System#nanoTime}). */
  private long connectedAt;
  /** The attempt under way was refused a turn at a host crowded with attempts (announced there). */
  private boolean attemptCrowded;
  /**
   * The last failed attempt took {@link #SLOW_FAILURE_NANOS} or more, or was refused a turn at a
   * crowded host: waiting on the next is dear (a refusal at once, a server down, is cheap).
   */
  private boolean failedSlowly;
  /** The addresses the attempt under way walks (the server's when it started). */
  private List<HostPort> attemptAddresses = List.of();
  /** Where the link connected last: its server was there, so attempts there are not paced. */
  private volatile HostPort proven;
  /** An attempt's turn at its host, while it waits for it ({@link ConnectPacer}). */
  private CompletableFuture<Void> waitingTurn;
  private volatile long reportedFreeSpace = -1;
  private volatile long maxShareSize = -1;

  ServerLink(ServerPool pool, GridServer server) {
    this.pool = pool;
    this.server = server;
    this.since = pool.clock().instant();
    this.backoff = new Backoff(pool.backoffMin(), pool.backoffMax());
  }

  GridServer server() {
    return server;
  }

  /**
   * A newer listing of the server. A new announcement (a higher sequence: the server restarted,
   * or reconnected to an introducer) while backing off says it is probably back: the next
   * attempt comes after the shortest backoff instead of the long one the failures earned. So
   * does one with new addresses during an attempt, which walks the old ones ({@link #backOff}).
   *
   * <p>Once per outage: until the link connects again, later announcements change nothing, and
   * if that early attempt fails the backoff goes on from what the failures earned. A server
   * that announces but does not take this client's connections (or an introducer replaying
   * its signed announcements) therefore cannot make the client retry it faster than its
   * backoff.
   */
  synchronized void update(GridServer newer) {
    boolean announcedAgain = newer.sequence() > server.sequence();
    server = newer;
    if (announcedAgain && state == ConnectionState.CONNECTING) {
      backgroundAttempt = false; // probably back: callers wait for the attempt under way
    }
    if (!announcedAgain || removed || broughtForward || state != ConnectionState.BACKING_OFF) {
      return;
    }
    long delay = Backoff.jittered(pool.backoffMin().toMillis());
    Instant sooner = pool.clock().instant().plus(Duration.ofMillis(delay));
    if (sooner.isBefore(nextAttempt)) {
      broughtForward = true;
      nextAttemptAnnounced = true;
      nextAttempt = sooner;
      scheduleRetry(delay, false);
    }
  }

  /**
   * Someone waits for the grid (a {@code cairn sync}, an fsync, an unmount's drain): while
   * backing off, try now rather than at the end of the backoff the failures earned, so a grid
   * that came back is used at once. A connection attempt starts before this returns, so a
   * {@link #connect} right after waits for it instead of failing fast. At most once per
   * shortest backoff: a caller in a loop cannot make the client hammer a server that is still
   * down, and a failed attempt backs off further as any other.
   */
  synchronized void retrySoon() {
    if (state == ConnectionState.CONNECTING) {
      backgroundAttempt = false; // someone waits: the attempt under way is theirs now
    }
    if (removed || state != ConnectionState.BACKING_OFF) {
      return;
    }
    Instant now = pool.clock().instant();
    boolean due = !now.isBefore(nextAttempt);
    if (due && everConnected) {
      return; // connect() opens it, and waits for it
    }
    if (!due && askedRecently(now)) {
      return;
    }
    attemptAsked(now);
  }

  /**
   * A read that started at {@code since} ({@link System#nanoTime}) came up short, this server
   * among those that failed it ({@link ServerPool#retryForRead}): whether asking it again could
   * now succeed. Yes when it connected, or started an attempt callers wait for, after the read
   * started (another read brought it back); when backing off after a quick failure (a refusal:
   * the server was down, and may be back), it tries now, at most once per shortest backoff, and
   * callers wait for the attempt. No otherwise: a connection or attempt the read already met
   * failed it once (a server that hangs, an attempt that outlasts the wait), and a server whose
   * attempts fail slowly (an address that drops packets, a fake) keeps its backoff.
   */
  synchronized boolean retryForRead(long since) {
    if (removed) {
      return false;
    }
    if (state == ConnectionState.CONNECTED) {
      return connectedAt - since > 0;
    }
    if (state == ConnectionState.CONNECTING) {
      return attemptStarted - since > 0 && !attemptNotWaitedFor();
    }
    if (state != ConnectionState.BACKING_OFF || failedSlowly) {
      return false;
    }
    Instant now = pool.clock().instant();
    if (askedRecently(now)) {
      return false;
    }
    attemptAsked(now);
    return true;
  }

  /** Someone asked for an attempt within the shortest backoff before {@code now}. Locked. */
  private boolean askedRecently(Instant now) {
    return askedAt != null && now.isBefore(askedAt.plus(pool.backoffMin()));
  }

  /** Starts an attempt now that callers wait for, as asked at {@code now}. Locked. */
  private void attemptAsked(Instant now) {
    askedAt = now;
    cancelRetry();
    open(false);
  }

  /**
   * The attempt under way is one callers are not made to wait for: the backoff's own retry of a
   * server never reached whose attempts fail slowly. Locked.
   */
  private boolean attemptNotWaitedFor() {
    return backgroundAttempt && !everConnected && failedSlowly;
  }

  /** An open client, opening one if needed; fails fast while backing off or once removed. */
  synchronized CompletableFuture<StorageClient> connect() {
    if (removed) {
      return CompletableFuture.failedFuture(
          new ServerUnavailableException(server.nodeId(), "left the grid"));
    }
    if (current != null && !current.isDone()) {
      return attemptNotWaitedFor() ? neverReached() : current.copy();
    }
    if (state == ConnectionState.CONNECTED && current != null) {
      StorageClient client = current.join();
      if (client.connection().isOpen()) {
        return CompletableFuture.completedFuture(client);
      }
    }
    if (state == ConnectionState.BACKING_OFF && pool.clock().instant().isBefore(nextAttempt)) {
      return CompletableFuture.failedFuture(new ServerUnavailableException(server.nodeId(),
          "unreachable (" + lastError + "); next attempt at " + nextAttempt));
    }
    if (!everConnected && failedSlowly && !nextAttemptAnnounced) {
      cancelRetry();
      open(true); // due: tried again, but nobody waits on a never-reached, slow-failing server
      return neverReached();
    }
    return open(false).copy();
  }

  private CompletableFuture<StorageClient> neverReached() {
    return CompletableFuture.failedFuture(new ServerUnavailableException(server.nodeId(),
        "not reached yet; an attempt is under way (last: " + lastError + ")"));
  }

  /** The open client if connected now, without opening one. */
  synchronized Optional<StorageClient> connectedClient() {
    if (state == ConnectionState.CONNECTED && current != null && current.isDone()
        && !current.isCompletedExceptionally()) {
      StorageClient client = current.join();
      if (client.connection().isOpen()) {
        return Optional.of(client);
      }
    }
    return Optional.empty();
  }

  synchronized ServerStatus status() {
    GridServer s = server;
    long free = reportedFreeSpace >= 0 ? reportedFreeSpace : s.freeSpace();
    return new ServerStatus(s.nodeId(), s.nickname(), s.addresses(), free, maxShareSize, state,
        since, Optional.ofNullable(lastError),
        state == ConnectionState.BACKING_OFF ? Optional.ofNullable(nextAttempt) : Optional.empty());
  }

  /** The server left the grid (or the pool closes): close and stop reconnecting. */
  void remove() {
    CompletableFuture<StorageClient> toClose;
    synchronized (this) {
      removed = true;
      if (retry != null) {
        retry.cancel(false);
      }
      toClose = current;
      current = null;
      setState(ConnectionState.IDLE);
      if (waitingTurn != null) {
        waitingTurn.completeExceptionally(
            new ServerUnavailableException(server.nodeId(), "left the grid"));
      }
    }
    if (toClose != null) {
      toClose.thenAccept(StorageClient::close);
    }
  }

  /** Starts an attempt; {@code background} when the backoff's retry starts it unasked. */
  private CompletableFuture<StorageClient> open(boolean background) {
    setState(ConnectionState.CONNECTING);
    backgroundAttempt = background;
    attemptStarted = System.nanoTime();
    attemptCrowded = false;
    attemptAddresses = server.addresses();
    // Completes after outcome(): whoever sees it done sees the link's new state too.
    CompletableFuture<StorageClient> settled = new CompletableFuture<>();
    current = settled;
    tryAddresses(attemptAddresses, 0, null).whenComplete((client, failure) -> {
      try {
        outcome(settled, client, failure);
      } finally {
        if (failure == null) {
          settled.complete(client);
        } else {
          settled.completeExceptionally(failure);
        }
      }
    });
    return settled;
  }

  private CompletableFuture<StorageClient> tryAddresses(List<HostPort> addresses, int i,
      Throwable previous) {
    if (i >= addresses.size()) {
      return CompletableFuture.failedFuture(previous != null ? previous
          : new ServerUnavailableException(server.nodeId(), "has no address"));
    }
    HostPort at = addresses.get(i);
    return paced(at)
        .thenCompose(x -> {
          synchronized (this) {
            if (removed) {
              return CompletableFuture.failedFuture(
                  new ServerUnavailableException(server.nodeId(), "left the grid"));
            }
          }
          return StorageClient.connect(pool.options(), pool.ownKey(), at.host(), at.port(),
              server.nodeId()).thenApply(c -> {
                proven = at;
                return c;
              });
        })
        .handle((client, failure) -> failure == null
            ? CompletableFuture.completedFuture(client)
            : tryAddresses(addresses, i + 1, Await.unwrap(failure)))
        .thenCompose(f -> f);
  }

  /**
   * Completes when an attempt to {@code at} may start ({@link ConnectPacer}): at once where the
   * link connected before (not its other addresses: a server that connects and drops would
   * otherwise make them unpaced), else at its turn; fails when the turn is too far away (the link
   * backs off) or the link is removed while it waits.
   */
  private synchronized CompletableFuture<Void> paced(HostPort at) {
    String host = at.host();
    if (removed) {
      return CompletableFuture.failedFuture(
          new ServerUnavailableException(server.nodeId(), "left the grid"));
    }
    long wait = at.equals(proven) ? 0 : pool.pacer().delayMillis(host);
    if (wait == 0) {
      return CompletableFuture.completedFuture(null);
    }
    if (wait < 0) {
      attemptCrowded = true;
      return CompletableFuture.failedFuture(new ServerUnavailableException(server.nodeId(),
          "too many connection attempts to " + host + " at once (servers announced there);"
          + " trying again later"));
    }
    CompletableFuture<Void> turn = new CompletableFuture<>();
    waitingTurn = turn;
    turn.whenComplete((x, t) -> {
      synchronized (this) {
        if (waitingTurn == turn) {
          waitingTurn = null;
        }
      }
    });
    try {
      pool.scheduler().schedule(() -> turn.complete(null), wait, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      turn.completeExceptionally(new ServerUnavailableException(server.nodeId(),
          "the client is closing"));
    }
    return turn;
  }

  private void outcome(CompletableFuture<StorageClient> attempt, StorageClient client,
      Throwable failure) {
    synchronized (this) {
      if (attempt != current) {
        if (client != null) {
          client.close();
        }
        return;
      }
      if (failure == null) {
        setState(ConnectionState.CONNECTED);
        connectedAt = System.nanoTime();
        everConnected = true;
        lastError = null;
        broughtForward = false;
        backoff.reset();
        client.connection().closeFuture().thenRun(() -> dropped(attempt));
      } else {
        backOff(Await.unwrap(failure).getMessage(), true);
      }
    }
    if (client != null) {
      client.serverInfo().thenAccept(info -> {
        reportedFreeSpace = info.freeSpace();
        maxShareSize = info.maxShareSize();
      }).exceptionally(e -> null);
    }
  }

  private synchronized void dropped(CompletableFuture<StorageClient> attempt) {
    if (attempt != current || removed) {
      return;
    }
    log.debug("connection to {} dropped; reconnecting", server.nodeId().shortForm());
    backOff("connection closed", false);
  }

  /**
   * Enters BACKING_OFF and schedules the next attempt; call under the lock. {@code attempt}: an
   * attempt failed (else a connection dropped: no attempt to judge as slow).
   */
  private void backOff(String why, boolean attempt) {
    lastError = why;
    failedSlowly = attempt
        && (attemptCrowded || System.nanoTime() - attemptStarted >= SLOW_FAILURE_NANOS);
    nextAttemptAnnounced = false;
    setState(ConnectionState.BACKING_OFF);
    long delay = backoff.nextMillis();
    boolean moved = attempt && !broughtForward && !server.addresses().equals(attemptAddresses);
    if (moved) {
      // announced at new addresses while the attempt walked the old ones: try those soon, as
      // for any new announcement while backing off (once per outage, see update)
      broughtForward = true;
      nextAttemptAnnounced = true;
      delay = Math.min(delay, Backoff.jittered(pool.backoffMin().toMillis()));
    }
    nextAttempt = pool.clock().instant().plus(Duration.ofMillis(delay));
    scheduleRetry(delay, !moved);
  }

  /**
   * Replaces any scheduled retry with one after {@code delay}; call under the lock. The one
   * replaced is cancelled, and does nothing should it have fired already (waiting for the lock):
   * cancelling cannot stop a task that started. {@code background}: the backoff's own retry,
   * not one an announcement brought forward (the server is probably back: callers wait for it).
   */
  private void scheduleRetry(long delay, boolean background) {
    cancelRetry();
    long token = retryToken;
    if (pool.isClosed()) {
      return;
    }
    try {
      retry = pool.scheduler().schedule(() -> retryNow(token, background), delay,
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // the pool is closing
    }
  }

  /** Cancels the scheduled retry; one that already fired does nothing. Call under the lock. */
  private void cancelRetry() {
    if (retry != null) {
      retry.cancel(false);
      retry = null;
    }
    retryToken++;
  }

  private synchronized void retryNow(long token, boolean background) {
    if (!removed && token == retryToken && state == ConnectionState.BACKING_OFF) {
      open(background);
    }
  }

  private void setState(ConnectionState s) {
    state = s;
    since = pool.clock().instant();
  }
}
