package org.cairnfs.fs.grid;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeId;

/**
 * Finds which servers hold which shares of one immutable file: asks servers in ring order, 2n
 * at a time and all of a batch in parallel, and the next batch only while fewer than k distinct
 * shares are known. {@link #ready()} completes once k distinct shares are known and either the
 * batch has answered or the grace period has passed (slower answers still arrive and become
 * fallbacks), or when every server has answered. A reader whose known copies all failed can ask
 * one more batch, past every server asked so far, with {@link #askFurther()} (k shares known
 * or not), and again until the ring is exhausted. Thread-safe.
 */
final class ShareLocator {
  /** One server holding one share, and how fast it answered. */
  record Holder(NodeId server, StorageClient client, long latencyNanos) {}

  private final ServerPool pool;
  private final StorageIndex index;
  private final int k;
  private final int batch;
  private final Duration timeout;
  private final Duration grace;
  private final List<NodeId> ring;
  private final Map<Integer, List<Holder>> holders = new TreeMap<>();
  private final Map<NodeId, String> problems = new LinkedHashMap<>();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final CompletableFuture<Void> finished = new CompletableFuture<>();
  private int next;
  private int pending;
  private boolean graceStarted;
  private volatile long started;

  ShareLocator(ServerPool pool, StorageIndex index, int k, int n, Duration timeout,
      Duration grace) {
    this.pool = pool;
    this.index = index;
    this.k = k;
    this.batch = Math.max(2 * n, 1);
    this.timeout = timeout;
    this.grace = grace;
    this.ring = PermutedRing.order(index, pool.serverIds());
  }

  ShareLocator start() {
    started = System.nanoTime();
    askNextBatch();
    return this;
  }

  /** When the search started ({@link System#nanoTime}). */
  long started() {
    return started;
  }

  /** A copy: a waiter that gives up cancels only its own (Await.get cancels on time-out). */
  CompletableFuture<Void> ready() {
    return ready.copy();
  }

  /** A copy, as {@link #ready()}. */
  CompletableFuture<Void> finished() {
    return finished.copy();
  }

  /** Servers holding {@code share}, fastest first (a live list: late answers are added). */
  synchronized List<Holder> holders(int share) {
    List<Holder> list = new ArrayList<>(holders.getOrDefault(share, List.of()));
    list.sort(Comparator.comparingLong(Holder::latencyNanos));
    return list;
  }

  /**
   * Forgets that {@code server} holds {@code share}: its copy failed verification, so readers
   * opened after this use another server's copy of that number. Returns whether another copy
   * is known.
   */
  synchronized boolean exclude(int share, NodeId server) {
    List<Holder> list = holders.get(share);
    if (list == null) {
      return false;
    }
    list.removeIf(h -> h.server().equals(server));
    if (list.isEmpty()) {
      holders.remove(share);
      return false;
    }
    return true;
  }

  synchronized Set<Integer> located() {
    return Set.copyOf(holders.keySet());
  }

  synchronized int asked() {
    return next;
  }

  synchronized int serversKnown() {
    return ring.size();
  }

  synchronized Map<NodeId, String> problems() {
    return new HashMap<>(problems);
  }

  /**
   * Asks the next batch of servers not asked yet (even with k shares known): for a reader whose
   * known copies failed. The future completes with true once each server of that batch has
   * answered or timed out (their shares are then in {@link #holders}), or with false at once
   * when every server was already asked. Each call asks strictly further along the ring. Does
   * not touch {@link #ready()}, {@link #finished()} or the grace period, and does not chain
   * further batches by itself.
   */
  CompletableFuture<Boolean> askFurther() {
    List<NodeId> ask = nextBatch();
    if (ask.isEmpty()) {
      return CompletableFuture.completedFuture(false);
    }
    return ask(ask).thenApply(v -> true);
  }

  /**
   * Asks {@code servers}, recording their shares or problems: a further batch ({@link
   * #askFurther}), or servers asked before that failed while down and were just made to try
   * again. Completes once each has answered or timed out. Does not touch {@link #ready()} or
   * {@link #finished()}.
   */
  CompletableFuture<Void> ask(Collection<NodeId> servers) {
    return CompletableFuture.allOf(servers.stream()
        .map(id -> listing(id).exceptionally(failure -> null))
        .toArray(CompletableFuture[]::new));
  }

  /** The next servers of the ring, 2n at most, now counted as asked. */
  private synchronized List<NodeId> nextBatch() {
    int end = Math.min(ring.size(), next + batch);
    List<NodeId> ask = new ArrayList<>(ring.subList(next, end));
    next = end;
    return ask;
  }

  /**
   * Asks {@code id} for its share numbers, recording them, or its problem when it fails or
   * does not answer within the timeout.
   */
  private CompletableFuture<Void> listing(NodeId id) {
    long start = System.nanoTime();
    return pool.connect(id)
        .thenCompose(client -> client.shareNumbers(index)
            .thenAccept(shares -> found(id, client, shares, System.nanoTime() - start)))
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((ok, failure) -> {
          if (failure != null) {
            problem(id, failure);
          }
        });
  }

  private synchronized void problem(NodeId id, Throwable failure) {
    problems.put(id, Await.asIo(failure).getMessage());
  }

  private void askNextBatch() {
    List<NodeId> ask;
    synchronized (this) {
      ask = nextBatch();
      pending += ask.size();
    }
    if (ask.isEmpty()) {
      settle();
      return;
    }
    for (NodeId id : ask) {
      listing(id).whenComplete((ok, failure) -> answered());
    }
  }

  private synchronized void found(NodeId id, StorageClient client, Set<Integer> shares,
      long latency) {
    problems.remove(id); // asked again, and answered this time
    for (int share : shares) {
      holders.computeIfAbsent(share, s -> new ArrayList<>()).add(new Holder(id, client, latency));
    }
  }

  /** One server of a batch answered (its shares or its problem are recorded already). */
  private void answered() {
    boolean batchDone;
    synchronized (this) {
      pending--;
      batchDone = pending == 0;
      if (holders.size() >= k && !graceStarted && !batchDone) {
        graceStarted = true;
        try {
          // the pool's timer thread, not delayedExecutor's: with one core for the common pool
          // (two cores) that starts a new thread per call, one per chunk read
          pool.scheduler().schedule(() -> ready.complete(null), grace.toMillis(),
              TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          ready.complete(null); // the pool is closed: nothing more will answer
        }
      }
    }
    if (batchDone) {
      settle();
    }
  }

  /**
   * A batch has fully answered: ready if enough is known, else ask further. Decided under one
   * lock: an {@link #exclude} between two looks could leave the search neither going on nor
   * finished.
   */
  private void settle() {
    boolean more;
    boolean done;
    synchronized (this) {
      more = holders.size() < k && next < ring.size();
      done = !more && pending == 0;
    }
    if (more) {
      askNextBatch();
      return;
    }
    ready.complete(null);
    if (done) {
      finished.complete(null);
    }
  }
}
