package org.cairnfs.introducer.client;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.ProtocolClient;
import org.cairnfs.protocol.identity.NodeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one connection to one introducer alive: connects pinned by the URL's node id, runs the
 * role's setup (subscribe or publish) on every new connection, learns from the connection's
 * {@link ProtocolClient#closeFuture()} when it drops, and reconnects with backoff. All state
 * changes run on the shared scheduler thread.
 */
final class IntroducerLink {
  private static final Logger log = LoggerFactory.getLogger(IntroducerLink.class);

  private final IntroducerUrl url;
  private final NodeKey ownKey;
  private final ClientOptions options;
  private final ScheduledExecutorService scheduler;
  private final Backoff backoff;
  private final Function<ProtocolClient, CompletableFuture<?>> setup;
  /** Set as soon as a connection exists (before setup), so no update can fall into the gap. */
  private volatile ProtocolClient client;
  /** True once the role's setup succeeded on the current connection. */
  private volatile boolean ready;
  private volatile boolean closed;
  private volatile ScheduledFuture<?> pending;
  private int failures;

  IntroducerLink(IntroducerUrl url, NodeKey ownKey, ClientOptions options,
      ScheduledExecutorService scheduler, Backoff backoff,
      Function<ProtocolClient, CompletableFuture<?>> setup) {
    this.url = url;
    this.ownKey = ownKey;
    this.options = options;
    this.scheduler = scheduler;
    this.backoff = backoff;
    this.setup = setup;
  }

  IntroducerUrl url() {
    return url;
  }

  void start() {
    schedule(this::connect, 0);
  }

  /**
   * The open connection, possibly still running its setup, or null. Sending on it during setup
   * is allowed: the setup and the send race harmlessly (receivers keep the highest sequence).
   */
  ProtocolClient client() {
    ProtocolClient c = client;
    return c != null && c.isOpen() ? c : null;
  }

  /** True when connected and the setup (subscribe or first publish) has succeeded. */
  boolean isConnected() {
    return ready && client() != null;
  }

  void close() {
    closed = true;
    ready = false;
    ScheduledFuture<?> p = pending;
    if (p != null) {
      p.cancel(false);
    }
    ProtocolClient c = client;
    client = null;
    if (c != null) {
      c.close();
    }
  }

  private void schedule(Runnable task, long delayMillis) {
    if (closed) {
      return;
    }
    try {
      pending = scheduler.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      // scheduler shut down: the owner is closing
    }
  }

  private void connect() {
    if (closed) {
      return;
    }
    ProtocolClient.connect(options, ownKey, url.address().host(), url.address().port(), url.nodeId())
        .thenCompose(c -> {
          if (closed) {
            c.close();
            return CompletableFuture.failedFuture(new IllegalStateException("closed"));
          }
          client = c;
          return setup.apply(c).thenApply(ignored -> c).whenComplete((ok, failure) -> {
            if (failure != null) {
              client = null;
              c.close();
            }
          });
        })
        .whenComplete((c, failure) -> {
          try {
            scheduler.execute(() -> connected(c, failure));
          } catch (java.util.concurrent.RejectedExecutionException stopped) {
            if (c != null) {
              c.close();
            }
          }
        });
  }

  private void connected(ProtocolClient c, Throwable failure) {
    if (closed) {
      if (c != null) {
        c.close();
      }
      return;
    }
    if (failure != null) {
      long delay = backoff.nextMillis();
      failures++;
      if (failures == 1 || failures % 10 == 0) {
        log.warn("introducer {} unreachable ({} attempts): {}; retrying in {} ms", url.address(),
            failures, rootMessage(failure), delay);
      }
      schedule(this::connect, delay);
      return;
    }
    if (failures > 0) {
      log.info("connected to introducer {} after {} failed attempts", url.address(), failures);
    }
    failures = 0;
    backoff.reset();
    client = c;
    ready = true;
    c.closeFuture().thenRun(() -> {
      try {
        scheduler.execute(() -> lost(c));
      } catch (java.util.concurrent.RejectedExecutionException stopped) {
        // scheduler shut down: the owner is closing
      }
    });
  }

  private void lost(ProtocolClient c) {
    if (closed || client != c) {
      return;
    }
    ready = false;
    client = null;
    long delay = backoff.nextMillis();
    log.info("lost introducer {}; reconnecting in {} ms", url.address(), delay);
    schedule(this::connect, delay);
  }

  private static String rootMessage(Throwable t) {
    Throwable cur = t;
    while ((cur instanceof java.util.concurrent.CompletionException
        || cur instanceof java.util.concurrent.ExecutionException) && cur.getCause() != null) {
      cur = cur.getCause();
    }
    return cur.getMessage() == null ? cur.toString() : cur.getMessage();
  }

  /** Adds {@code url} to a builder's introducer list, refusing null and duplicates. */
  static void addDistinct(List<IntroducerUrl> introducers, IntroducerUrl url) {
    Objects.requireNonNull(url, "url");
    if (introducers.contains(url)) {
      throw new IllegalArgumentException("introducer " + url + " listed twice");
    }
    introducers.add(url);
  }
}
