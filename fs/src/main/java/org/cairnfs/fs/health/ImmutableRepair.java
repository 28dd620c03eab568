package org.cairnfs.fs.health;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.ShareLayout;
import org.cairnfs.caps.immutable.ShareRebuilder;
import org.cairnfs.caps.share.ShareSink;
import org.cairnfs.caps.share.ShareSource;
import org.cairnfs.fs.grid.Await;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.UploadSink;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.message.Response;

/**
 * One repair of one immutable file after a verify: plans new copies ({@link RepairPlan}),
 * allocates them (under this client's lease secrets; a server that refuses is left out and the
 * plan made again, at most {@link #ROUNDS} times), rebuilds every share once from k verified
 * shares and streams the planned ones to their servers, then closes each share that arrived
 * whole. A share that fails on the way is aborted (nothing half-written becomes visible) and
 * named in the notes.
 *
 * <p>Cost: one pass over k shares (their blocks and trees, read in 1 MiB windows), erasure
 * coding of every segment (the missing parity, as an upload does), and the new shares' bytes
 * sent. Memory: the decoder's and assembler's block buffers, a few read windows per source
 * share and each sink's send window; not the file.
 */
final class ImmutableRepair {
  static final int ROUNDS = 3;
  private static final ShareSink DISCARD = (offset, data, off, len) -> { };

  private final GridClient grid;
  private final ImmutableVerifyCap cap;
  private final ImmutableHealth.Findings findings;
  private final List<String> notes;
  private final StorageIndex index;
  private final Duration timeout;

  ImmutableRepair(GridClient grid, ImmutableVerifyCap cap, ImmutableHealth.Findings findings,
      List<String> notes) {
    this.grid = grid;
    this.cap = cap;
    this.findings = findings;
    this.notes = notes;
    this.index = cap.index();
    this.timeout = grid.config().stallTimeout();
  }

  /** Runs the repair; returns the copies it placed (status OK, repaired). */
  List<ImmutableHealth.Copy> run() {
    ShareRebuilder rebuilder = ShareRebuilder.of(cap, sources(), Comparator.naturalOrder());
    ShareLayout layout;
    try {
      layout = rebuilder.layout();
    } catch (IOException e) {
      notes.add("repair failed: the good shares could not be opened again: " + e.getMessage());
      return List.of();
    }
    Map<NodeId, Set<Integer>> allocated = allocate(layout.shareLength());
    if (allocated.isEmpty()) {
      notes.add("repair placed nothing: no server that answered could take a new share");
      return List.of();
    }
    Map<Integer, List<UploadSink>> sinks = new TreeMap<>();
    allocated.forEach((id, shares) -> {
      StorageClient client = findings.survey().clients.get(id);
      for (int share : shares) {
        sinks.computeIfAbsent(share, s -> new ArrayList<>()).add(new UploadSink(id, client,
            index, share, grid.config().writeChunk(), grid.config().uploadWindow(), timeout));
      }
    });
    try {
      rebuilder.rebuild((share, length) -> sinkFor(sinks.get(share)), s -> { });
    } catch (IOException e) {
      notes.add("repair failed while rebuilding shares: " + e.getMessage());
      abort(sinks);
      return List.of();
    }
    rebuilder.badShares().forEach((share, why) -> notes.add("share " + share
        + " failed while being read for repair: " + why));
    return close(sinks);
  }

  /** One good copy per share number (the first in ring order), read through 1 MiB windows. */
  private Map<Integer, ShareSource> sources() {
    Map<Integer, ShareSource> out = new TreeMap<>();
    for (ImmutableHealth.Copy c : findings.copies()) {
      if (c.status() == ShareReport.Status.OK && !out.containsKey(c.share())) {
        out.put(c.share(), new RemoteRange(findings.survey().clients.get(c.server()), index,
            c.share(), c.size(), grid.config().readTimeout(), true));
      }
    }
    return out;
  }

  /**
   * Plans and allocates, {@link #ROUNDS} times: each round plans what is still missing (what
   * earlier rounds allocated counts as placed) without the servers that failed to allocate and
   * without a server again for a number it did not take. Once every planned share is taken,
   * the plans that follow are empty and ask nothing.
   */
  private Map<NodeId, Set<Integer>> allocate(long shareLength) {
    List<NodeId> usable = new ArrayList<>(findings.survey().clients.keySet());
    Map<NodeId, Set<Integer>> good = findings.good();
    Map<NodeId, Set<Integer>> held = findings.held();
    Map<NodeId, Set<Integer>> allocated = new LinkedHashMap<>();
    for (int round = 0; round < ROUNDS; round++) {
      Map<NodeId, Set<Integer>> planned = new HashMap<>();
      good.forEach((id, s) -> planned.computeIfAbsent(id, x -> new TreeSet<>()).addAll(s));
      allocated.forEach((id, s) -> planned.computeIfAbsent(id, x -> new TreeSet<>()).addAll(s));
      Map<NodeId, Set<Integer>> plan = RepairPlan.plan(usable, planned, held, cap.n());
      Map<NodeId, CompletableFuture<Response.Allocated>> asks = new LinkedHashMap<>();
      plan.forEach((id, shares) -> asks.put(id, findings.survey().clients.get(id).allocate(
          index, grid.secrets().renewSecret(index, id), grid.secrets().cancelSecret(index, id),
          shareLength, shares)));
      for (Map.Entry<NodeId, CompletableFuture<Response.Allocated>> e : asks.entrySet()) {
        NodeId id = e.getKey();
        try {
          Response.Allocated answer = Await.get(e.getValue(), timeout, "allocating");
          if (!answer.allocated().isEmpty()) {
            allocated.computeIfAbsent(id, x -> new TreeSet<>()).addAll(answer.allocated());
          }
          Set<Integer> notTaken = new TreeSet<>(plan.get(id));
          notTaken.removeAll(answer.allocated());
          if (!notTaken.isEmpty()) {
            // held already (a claim this check did not see) or being uploaded by someone else
            held.computeIfAbsent(id, x -> new TreeSet<>()).addAll(notTaken);
          }
        } catch (IOException failed) {
          notes.add("server " + grid.servers().describe(id) + " refused new shares: "
              + failed.getMessage());
          usable.remove(id);
        }
      }
    }
    return allocated;
  }

  private static ShareSink sinkFor(List<UploadSink> sinks) {
    if (sinks == null) {
      return DISCARD;
    }
    return new ShareSink() {
      @Override
      public void write(long offset, byte[] data, int off, int len) {
        for (UploadSink s : sinks) {
          s.write(offset, data, off, len);
        }
      }

      @Override
      public void close() {
        sinks.forEach(UploadSink::close);
      }
    };
  }

  /** Waits for every sink, closes the shares that arrived whole, aborts the others. */
  private List<ImmutableHealth.Copy> close(Map<Integer, List<UploadSink>> sinks) {
    Map<UploadSink, CompletableFuture<Void>> closing = new LinkedHashMap<>();
    for (List<UploadSink> list : sinks.values()) {
      for (UploadSink sink : list) {
        StorageClient client = findings.survey().clients.get(sink.server());
        try {
          sink.awaitWritten();
          closing.put(sink, client.closeShare(index, sink.share()));
        } catch (IOException e) {
          client.abortShare(index, sink.share()).exceptionally(x -> null);
          notes.add("new copy of share " + sink.share() + " on "
              + grid.servers().describe(sink.server()) + " failed: " + e.getMessage());
        }
      }
    }
    List<ImmutableHealth.Copy> placed = new ArrayList<>();
    closing.forEach((sink, f) -> {
      try {
        Await.get(f, timeout, "closing share " + sink.share());
        placed.add(new ImmutableHealth.Copy(sink.server(), sink.share(), 0,
            ShareReport.Status.OK, "rebuilt from " + cap.k() + " verified shares", true));
      } catch (IOException e) {
        notes.add("new copy of share " + sink.share() + " on "
            + grid.servers().describe(sink.server()) + " could not be closed: "
            + e.getMessage());
      }
    });
    return placed;
  }

  /** Drops every new copy on its server (what a sink still buffers is never sent). */
  private void abort(Map<Integer, List<UploadSink>> sinks) {
    for (List<UploadSink> list : sinks.values()) {
      for (UploadSink sink : list) {
        findings.survey().clients.get(sink.server()).abortShare(index, sink.share())
            .exceptionally(x -> null);
      }
    }
  }
}
