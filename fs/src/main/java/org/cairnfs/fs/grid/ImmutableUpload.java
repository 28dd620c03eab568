package org.cairnfs.fs.grid;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.ImmutableEncoder;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.caps.immutable.ShareLayout;
import org.cairnfs.caps.share.ShareSink;
import org.cairnfs.fs.grid.Placement.Status;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One immutable upload, run start to end on one worker thread (it blocks on the network, never
 * on an event loop):
 *
 * <ol>
 *   <li>prepare: fix the key (a hashing pass when convergent), hence storage index and layout;
 *   <li>connect to the first 2n servers of the permuted ring and ask which shares they hold
 *       (small shares: the first n, not asked), then allocate the shares without a place
 *       ({@link Placement#plan}), round after round, connecting further servers when those run
 *       out: {@link UploadServers};
 *   <li>encode once, streaming every allocated share to its server ({@link UploadSink});
 *   <li>check every "already held" share against the cap ({@link HeldShareCheck});
 *   <li>shares lost mid-upload (error, stall, disconnect) or held falsely are allocated
 *       elsewhere and the file is encoded again for just those shares (byte-identical, so the
 *       positional sinks need no buffering), up to {@link #MAX_ROUNDS} rounds;
 *   <li>only if the complete shares reach happiness are they closed (made visible); otherwise
 *       every open share is aborted and {@link HappinessException} says why.
 * </ol>
 */
final class ImmutableUpload {
  private static final Logger log = LoggerFactory.getLogger(ImmutableUpload.class);
  /** Encoding runs at most this many times (the first plus re-placements). */
  static final int MAX_ROUNDS = 3;
  private static final ShareSink DISCARD = (offset, data, off, len) -> { };

  private final ServerPool pool;
  private final ClientSecrets secrets;
  private final GridConfig config;
  private final EncodingParams params;
  private final ImmutableEncoder encoder;
  private final UploadLocks locks;
  private Placement placement;
  private UploadServers servers;
  private StorageIndex index;
  private ShareLayout layout;
  private long bytesSent;

  ImmutableUpload(ServerPool pool, ClientSecrets secrets, GridConfig config,
      EncodingParams params, ImmutableEncoder encoder, UploadLocks locks) {
    this.pool = pool;
    this.secrets = secrets;
    this.config = config;
    this.params = params;
    this.encoder = encoder;
    this.locks = locks;
  }

  UploadResult run(PlaintextSource source) throws IOException {
    return run(encoder.prepare(source));
  }

  /** Uploads a file already prepared (for example under a key the caller derived). */
  UploadResult run(ImmutableEncoder.Prepared prepared) throws IOException {
    if (prepared.literal().isPresent()) {
      return new UploadResult(prepared.literal().get(), Optional.empty(), Map.of(), 0, 0, 0, 0);
    }
    index = prepared.index();
    layout = prepared.layout();
    UploadLocks.Held held = locks.acquire(index);
    try {
      return place(prepared);
    } finally {
      held.close();
    }
  }

  private UploadResult place(ImmutableEncoder.Prepared prepared) throws IOException {
    // A grid that came back while the links still back off from its outage is used at once.
    pool.retryUnreachable(params.happy());
    placement = new Placement(PermutedRing.order(index, pool.serverIds()), params.n());
    servers = new UploadServers(pool, secrets, config, params.n(), index, layout.shareLength(),
        placement);
    try {
      log.debug("upload of {}: connecting", index);
      servers.connectFirst();
      log.debug("upload of {}: placing", index);
      servers.placeShares();
      log.debug("upload of {}: placed {}", index, placement.in(Status.OPEN));
      if (placement.happiness(Placement.PLANNED) < params.happy()) {
        throw unhappy(placement.happiness(Placement.PLANNED));
      }
      ImmutableReadCap cap = null;
      for (int round = 1; ; round++) {
        Map<Integer, List<UploadSink>> sinks = openSinks();
        cap = prepared.encode((share, length) -> sinkFor(sinks.get(share)));
        log.debug("upload of {}: encoded round {}", index, round);
        collect(sinks);
        log.debug("upload of {}: collected round {}", index, round);
        checkClaims(cap.verifier());
        if (round == MAX_ROUNDS || placement.incomplete().isEmpty() || !servers.placeShares()) {
          break;
        }
        log.info("upload of {}: re-encoding for shares {} placed again", index,
            placement.in(Status.OPEN));
      }
      int complete = placement.happiness(Placement.COMPLETE);
      if (complete < params.happy()) {
        throw unhappy(complete);
      }
      log.debug("upload of {}: closing", index);
      closeWritten();
      log.debug("upload of {}: closed", index);
      addLeasesOnHeld();
      int happiness = placement.happiness(Placement.DONE);
      if (happiness < params.happy()) {
        throw unhappy(happiness);
      }
      return result(cap, happiness);
    } catch (IOException | RuntimeException e) {
      abortOpen();
      throw e;
    }
  }

  /** A sink for each share allocated and not yet being written. */
  private Map<Integer, List<UploadSink>> openSinks() {
    Map<Integer, List<UploadSink>> sinks = new TreeMap<>();
    placement.in(Status.OPEN).forEach((id, shares) -> {
      for (int share : shares) {
        UploadSink sink = new UploadSink(id, servers.client(id), index, share, config.writeChunk(),
            config.uploadWindow(), config.stallTimeout());
        sinks.computeIfAbsent(share, s -> new ArrayList<>()).add(sink);
      }
    });
    return sinks;
  }

  private static ShareSink sinkFor(List<UploadSink> sinks) {
    if (sinks == null) {
      return DISCARD;
    }
    if (sinks.size() == 1) {
      return sinks.get(0);
    }
    return new ShareSink() {
      @Override
      public void write(long offset, byte[] data, int off, int len) {
        sinks.forEach(s -> s.write(offset, data, off, len));
      }

      @Override
      public void close() {
        sinks.forEach(UploadSink::close);
      }
    };
  }

  /** Waits for every sink of this round: WRITTEN, or FAILED with its server marked. */
  private void collect(Map<Integer, List<UploadSink>> sinks) {
    for (List<UploadSink> list : sinks.values()) {
      for (UploadSink sink : list) {
        try {
          sink.awaitWritten();
          placement.set(sink.server(), sink.share(), Status.WRITTEN);
        } catch (IOException e) {
          placement.set(sink.server(), sink.share(), Status.FAILED);
          placement.problem(sink.server(), "share " + sink.share() + " failed: " + e.getMessage());
        }
        bytesSent += sink.bytesSent();
      }
    }
  }

  /** Checks every claimed share against the cap, all reads sent at once. */
  private void checkClaims(ImmutableVerifyCap cap) {
    Map<NodeId, Map<Integer, HeldShareCheck>> checks = new LinkedHashMap<>();
    placement.in(Status.CLAIMED).forEach((id, shares) -> {
      for (int share : shares) {
        checks.computeIfAbsent(id, x -> new TreeMap<>())
            .put(share, new HeldShareCheck(servers.client(id), index, share, layout));
      }
    });
    checks.forEach((id, byShare) -> byShare.forEach((share, check) -> {
      Optional<String> problem = check.problem(cap, config.stallTimeout());
      if (problem.isEmpty()) {
        placement.set(id, share, Status.HELD);
      } else {
        placement.set(id, share, Status.BOGUS);
        log.warn("server {} says it holds share {} of {}, but that share is not this file's "
            + "({}); placing it elsewhere", pool.describe(id), share, index, problem.get());
      }
    }));
  }

  private void closeWritten() {
    Map<NodeId, Map<Integer, CompletableFuture<Void>>> closing = new LinkedHashMap<>();
    placement.in(Status.WRITTEN).forEach((id, shares) -> {
      for (int share : shares) {
        closing.computeIfAbsent(id, x -> new TreeMap<>())
            .put(share, servers.client(id).closeShare(index, share));
      }
    });
    closing.forEach((id, byShare) -> byShare.forEach((share, f) -> {
      try {
        Await.get(f, config.stallTimeout(), "closing share " + share);
        placement.set(id, share, Status.CLOSED);
      } catch (IOException e) {
        placement.set(id, share, Status.FAILED);
        placement.problem(id, "closing share " + share + " failed: " + e.getMessage());
      }
    }));
  }

  /**
   * Held shares found by asking (not through allocate) get this client's lease now, and are
   * asked for again once leased: a share deleted since it was found (a collector deletes shares
   * linked from nowhere) no longer counts as held, since a file must not name shares nobody
   * keeps. Once the lease is added they stay (a collection spares leases given since it began).
   */
  private void addLeasesOnHeld() {
    Map<NodeId, CompletableFuture<Set<Integer>>> leasing = new LinkedHashMap<>();
    Map<NodeId, Set<Integer>> held = placement.in(Status.HELD);
    held.forEach((id, shares) -> {
      if (!servers.leasedByAllocate(id, shares)) {
        StorageClient client = servers.client(id);
        leasing.put(id, client.addLease(index, secrets.renewSecret(index, id),
            secrets.cancelSecret(index, id)).thenCompose(x -> client.shareNumbers(index)));
      }
    });
    leasing.forEach((id, f) -> {
      Set<Integer> still;
      try {
        still = Await.get(f, config.stallTimeout(), "adding a lease");
      } catch (IOException e) {
        log.warn("could not add a lease on {} at {}: {}; its shares there no longer count",
            index, pool.describe(id), e.getMessage());
        still = Set.of();
        placement.problem(id, "adding a lease on a share it held failed: " + e.getMessage());
      }
      for (int share : held.get(id)) {
        if (!still.contains(share)) {
          placement.set(id, share, Status.FAILED);
        }
      }
    });
  }

  /**
   * Aborts every share still open on a server, waiting briefly for the answers; a failed share's
   * sink already asked without waiting, so it is asked again here, and a failed upload leaves no
   * open upload behind when it returns.
   */
  private void abortOpen() {
    if (placement == null) {
      return;
    }
    List<CompletableFuture<Void>> aborts = new ArrayList<>();
    for (Set<Status> which : List.of(Set.of(Status.OPEN), Set.of(Status.WRITTEN),
        Set.of(Status.FAILED))) {
      placement.in(which).forEach((id, shares) -> {
        StorageClient client = servers.client(id);
        for (int share : shares) {
          if (client != null && client.connection().isOpen()) {
            aborts.add(client.abortShare(index, share).exceptionally(e -> null));
          }
          placement.set(id, share, Status.FAILED);
        }
      });
    }
    try {
      Await.get(CompletableFuture.allOf(aborts.toArray(CompletableFuture[]::new)),
          Duration.ofSeconds(5), "aborting open shares");
    } catch (IOException e) {
      log.debug("aborting the open shares of {}: {}", index, e.getMessage());
    }
  }

  private HappinessException unhappy(int happiness) {
    Map<String, String> problems = new LinkedHashMap<>();
    placement.problems().forEach((id, why) -> problems.put(pool.describe(id), why));
    return new HappinessException(index, happiness, params.happy(), placement.ring().size(),
        placement.connectedCount(), placement.askedCount(), placement.acceptedCount(),
        placement.fullCount(), problems);
  }

  private UploadResult result(ImmutableReadCap cap, int happiness) {
    Map<Integer, List<NodeId>> where = new TreeMap<>();
    placement.in(Placement.DONE).forEach((id, shares) -> shares.forEach(
        share -> where.computeIfAbsent(share, s -> new ArrayList<>()).add(id)));
    int uploaded = 0;
    for (Set<Integer> shares : placement.in(Status.CLOSED).values()) {
      uploaded += shares.size();
    }
    int held = 0;
    for (Set<Integer> shares : placement.in(Status.HELD).values()) {
      held += shares.size();
    }
    return new UploadResult(cap, Optional.of(index), where, happiness, uploaded, held,
        bytesSent);
  }
}
