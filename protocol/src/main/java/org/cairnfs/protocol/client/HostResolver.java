package org.cairnfs.protocol.client;

import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Turns a server's host into an address without blocking an event loop: an IP literal at once,
 * a name on a few threads of its own. Why: servers' addresses come from announcements anyone who
 * reaches an introducer may publish, and a name whose DNS never answers, resolved on an event
 * loop (Netty's default), stalls every connection that loop serves for the resolver's whole
 * timeout, over and over.
 */
final class HostResolver {
  /** Looks a name up; blocking is allowed (it never runs on an event loop). */
  interface Lookup {
    InetAddress byName(String host) throws UnknownHostException;
  }

  static final HostResolver SYSTEM = new HostResolver(InetAddress::getByName);
  private static final int THREADS = 8;
  private static final ThreadPoolExecutor NAMES = new ThreadPoolExecutor(THREADS, THREADS,
      30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "cairn-resolve");
        t.setDaemon(true);
        return t;
      });

  static {
    NAMES.allowCoreThreadTimeOut(true);
  }

  private final Lookup lookup;

  HostResolver(Lookup lookup) {
    this.lookup = lookup;
  }

  /**
   * The address of {@code host}; a name is looked up on this class's threads, skipped when
   * {@code attempt} is over by its turn (a connect that timed out waiting).
   */
  CompletableFuture<InetSocketAddress> resolve(String host, int port, Future<?> attempt) {
    InetAddress literal = NetUtil.createInetAddressFromIpAddressString(host);
    if (literal != null) {
      return CompletableFuture.completedFuture(new InetSocketAddress(literal, port));
    }
    CompletableFuture<InetSocketAddress> address = new CompletableFuture<>();
    NAMES.execute(() -> {
      if (attempt.isDone()) {
        address.cancel(false);
        return;
      }
      try {
        address.complete(new InetSocketAddress(lookup.byName(host), port));
      } catch (IOException | RuntimeException e) {
        address.completeExceptionally(e);
      }
    });
    return address;
  }
}
