package org.cairnfs.fs.grid;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.fs.grid.Placement.Status;
import org.cairnfs.protocol.client.ServerFullException;
import org.cairnfs.protocol.client.ShareTooBigException;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.message.Response;

/**
 * The servers of one upload, taken along its permuted ring: connected in batches, asked which
 * shares they hold, and allocated the shares without a place, further servers replacing full or
 * failing ones. Every finding goes into the upload's {@link Placement}.
 *
 * <p>Why apart from {@link ImmutableUpload}: choosing and replacing servers is its own policy
 * (when to ask, when to connect more, what a refusal means); the upload only writes, checks,
 * closes or aborts the shares this places. Runs on the upload's worker thread; not thread-safe.
 */
final class UploadServers {
  /**
   * A share up to this length is not looked for first when the first n servers of its ring all
   * connect: they are allocated at once, and ALLOCATE answers which of the asked shares each
   * holds, which finds a file stored before under the same ring. Asking 2n servers is 20 of a
   * small file's 50 requests at 3-of-10; a share held under another number (the ring changed
   * since) costs only its few KiB sent again. A server that cannot be reached shifts the plan
   * along the ring, and a full or failing one makes the plan look further: then the servers
   * are asked first as for a large share.
   */
  static final long SMALL_SHARE = 64 << 10;

  private final ServerPool pool;
  private final ClientSecrets secrets;
  private final GridConfig config;
  private final int n;
  private final StorageIndex index;
  private final long shareLength;
  private final Placement placement;
  private final Map<NodeId, StorageClient> clients = new HashMap<>();
  /** Servers connected for a small share and not asked which shares they hold. */
  private final Set<NodeId> unasked = new LinkedHashSet<>();
  /** Batches connected after the first: each further one is twice as large, up to 16n. */
  private int furtherBatches;
  /** Shares that got this client's lease through ALLOCATE (allocated or already held). */
  private final Map<NodeId, Set<Integer>> leasedByAllocate = new HashMap<>();

  UploadServers(ServerPool pool, ClientSecrets secrets, GridConfig config, int n,
      StorageIndex index, long shareLength, Placement placement) {
    this.pool = pool;
    this.secrets = secrets;
    this.config = config;
    this.n = n;
    this.index = index;
    this.shareLength = shareLength;
    this.placement = placement;
  }

  /**
   * Connects the first servers of the ring: 2n, asked which shares they hold; for a share up to
   * {@link #SMALL_SHARE}, n not asked, unless one cannot be reached: then those connected are
   * asked after all and n more connected and asked.
   */
  void connectFirst() {
    if (shareLength > SMALL_SHARE) {
      connectMore(2 * n, true);
    } else if (!connectMore(n, false)) {
      askUnasked(); // the plan shifts along the ring: find what the others hold first
      connectMore(n, true);
    }
  }

  /** The connection to a server this upload connected, or null. */
  StorageClient client(NodeId id) {
    return clients.get(id);
  }

  /** True if ALLOCATE on {@code id} already gave this client's lease on all of {@code shares}. */
  boolean leasedByAllocate(NodeId id, Set<Integer> shares) {
    return leasedByAllocate.getOrDefault(id, Set.of()).containsAll(shares);
  }

  /**
   * Allocates shares without a place until none is left or no server can take more; true if
   * any new share was allocated.
   */
  boolean placeShares() {
    boolean progress = false;
    while (true) {
      Map<NodeId, Set<Integer>> plan = placement.plan();
      if (plan.isEmpty()) {
        boolean uncredited = Happiness.of(placement.in(Placement.PLANNED)) < n;
        if (!uncredited) {
          return progress;
        }
        if (!unasked.isEmpty()) {
          askUnasked(); // a full or failing server: what do the others hold already?
          continue;
        }
        if (placement.ringExhausted()) {
          return progress;
        }
        // growing: a ring mostly of servers that never answer is crossed in a few batches
        connectMore(n << Math.min(furtherBatches++, 4), true);
        continue;
      }
      Map<NodeId, CompletableFuture<Response.Allocated>> asks = new LinkedHashMap<>();
      plan.forEach((id, shares) -> {
        placement.asked(id, shares);
        asks.put(id, clients.get(id).allocate(index, secrets.renewSecret(index, id),
            secrets.cancelSecret(index, id), shareLength, shares));
      });
      Set<NodeId> slow = setAsideSlow(asks);
      for (Map.Entry<NodeId, CompletableFuture<Response.Allocated>> e : asks.entrySet()) {
        NodeId id = e.getKey();
        if (slow.contains(id)) {
          continue;
        }
        try {
          Response.Allocated answer = Await.get(e.getValue(), config.stallTimeout(), "allocate");
          Set<Integer> leased = leasedByAllocate.computeIfAbsent(id, x -> new HashSet<>());
          leased.addAll(answer.allocated());
          leased.addAll(answer.alreadyHave());
          for (int share : answer.allocated()) {
            placement.set(id, share, Status.OPEN);
            progress = true;
          }
          for (int share : answer.alreadyHave()) {
            if (placement.status(id, share) == null) {
              placement.set(id, share, Status.CLAIMED);
            }
          }
        } catch (ServerFullException | ShareTooBigException full) {
          placement.full(id, full.getMessage());
        } catch (IOException failed) {
          placement.problem(id, "allocate failed: " + failed.getMessage());
        }
      }
    }
  }

  /**
   * Connects the next {@code count} ring servers and asks them which shares they hold, or,
   * without {@code ask}, keeps them in {@link #unasked}. True if {@code count} servers connected.
   * Waits at most the connect grace for the whole batch: a connection already open answers at
   * once, and one still opening after that is left for this upload.
   */
  private boolean connectMore(int count, boolean ask) {
    List<NodeId> batch = placement.nextToConnect(count);
    Map<NodeId, CompletableFuture<StorageClient>> connecting = new LinkedHashMap<>();
    for (NodeId id : batch) {
      connecting.put(id, pool.connect(id));
    }
    Duration wait = config.answerGrace();
    long deadline = System.nanoTime() + wait.toNanos();
    Map<NodeId, CompletableFuture<Set<Integer>>> asking = new LinkedHashMap<>();
    int connected = 0;
    for (Map.Entry<NodeId, CompletableFuture<StorageClient>> e : connecting.entrySet()) {
      NodeId id = e.getKey();
      try {
        StorageClient client = Await.until(e.getValue(), deadline, wait, "connecting");
        clients.put(id, client);
        placement.connected(id);
        connected++;
        if (ask) {
          asking.put(id, client.shareNumbers(index));
        } else {
          unasked.add(id);
        }
      } catch (IOException failed) {
        placement.problem(id, "not reachable: " + failed.getMessage());
      }
    }
    collectClaims(asking);
    return connected == count;
  }

  /**
   * Waits up to the connect grace for a batch of answers. Servers still silent then are set
   * aside as slow (returned, their requests cancelled, no more shares for them) when enough
   * others remain (n usable or not yet tried); otherwise the caller waits for them up to the
   * stall timeout. Why: a server that connects and then answers late (a loaded disk, or one of
   * many announced fakes) held every batch for its delay, minutes for a small put.
   */
  private Set<NodeId> setAsideSlow(Map<NodeId, ? extends CompletableFuture<?>> answers) {
    Duration grace = config.answerGrace();
    long deadline = System.nanoTime() + grace.toNanos();
    Set<NodeId> late = new LinkedHashSet<>();
    answers.forEach((id, f) -> {
      if (!Await.settle(f, deadline)) {
        late.add(id);
      }
    });
    if (late.isEmpty() || placement.couldStillTake(late) < n) {
      return Set.of();
    }
    for (NodeId id : late) {
      answers.get(id).cancel(false);
      placement.problem(id, GridConfig.slowProblem(grace));
    }
    return late;
  }

  /** Asks the servers connected without asking which shares they hold. */
  private void askUnasked() {
    Map<NodeId, CompletableFuture<Set<Integer>>> asking = new LinkedHashMap<>();
    for (NodeId id : unasked) {
      asking.put(id, clients.get(id).shareNumbers(index));
    }
    unasked.clear();
    collectClaims(asking);
  }

  private void collectClaims(Map<NodeId, CompletableFuture<Set<Integer>>> asking) {
    Set<NodeId> slow = setAsideSlow(asking);
    asking.forEach((id, f) -> {
      if (slow.contains(id)) {
        return;
      }
      try {
        for (int share : Await.get(f, config.stallTimeout(), "asking for shares")) {
          if (share < n && placement.status(id, share) == null) {
            placement.set(id, share, Status.CLAIMED);
          }
        }
      } catch (IOException e) {
        placement.problem(id, "could not list shares: " + e.getMessage());
      }
    });
  }
}
