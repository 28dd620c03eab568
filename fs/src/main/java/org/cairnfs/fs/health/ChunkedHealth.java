package org.cairnfs.fs.health;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.cairnfs.caps.ChunkedVerifyCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.manifest.ManifestWalk;
import org.cairnfs.caps.manifest.NodeStore;
import org.cairnfs.caps.manifest.VerifyEntry;
import org.cairnfs.fs.grid.Await;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.ImmutableFile;

/**
 * Check, verify and repair of a chunked file with its verify cap: walks the manifest tree
 * ({@link ManifestWalk#verify}: the verify cap decrypts manifest nodes, not chunks) and treats
 * every manifest node and every stored chunk as the immutable file it is. A node is checked
 * (and repaired) before it is read, so a repair can heal a node the walk then needs. Literal
 * chunks live inside their node and holes store nothing: neither has shares.
 *
 * <p>Cost: one node download per manifest node (about 100 KB each, one per ~1000 chunks), plus
 * per node and chunk what {@link ImmutableHealth} costs for one file. A plain check runs up to
 * {@link #PARALLEL_CHECKS} chunks at once; verify and repair one part at a time, so memory is
 * one node per tree level plus one part's verify.
 */
final class ChunkedHealth {
  /** Chunks checked at once (front checks only). */
  static final int PARALLEL_CHECKS = 8;

  private final GridClient grid;
  private final ImmutableHealth immutable;

  ChunkedHealth(GridClient grid, ImmutableHealth immutable) {
    this.grid = grid;
    this.immutable = immutable;
  }

  HealthReport run(ChunkedVerifyCap cap, boolean verify, boolean repair, boolean lease) {
    List<CompletableFuture<HealthReport>> pending = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    boolean walked = true;
    // A plain check of a chunk reads a few KiB: run several at once. Verify and repair read
    // whole shares (megabytes in flight each), so they go one chunk at a time.
    Semaphore inFlight = new Semaphore(verify || repair ? 1 : PARALLEL_CHECKS);
    try {
      ManifestWalk.verify(cap, store(), entry -> {
        if (entry instanceof VerifyEntry.Node node) {
          pending.add(CompletableFuture.completedFuture(
              part(node.file().verifier(), "manifest node", verify, repair, lease)));
        } else if (entry instanceof VerifyEntry.Chunk chunk) {
          inFlight.acquireUninterruptibly();
          CompletableFuture<HealthReport> f = CompletableFuture.supplyAsync(
              () -> part(chunk.cap(), "chunk", verify, repair, lease), grid.workers());
          f.whenComplete((r, e) -> inFlight.release());
          pending.add(f);
        }
      });
    } catch (IOException | RuntimeException e) {
      walked = false;
      notes.add("the manifest could not be walked to its end, so chunks after this point "
          + "were not checked: " + e.getMessage());
    }
    List<HealthReport> parts = new ArrayList<>();
    for (CompletableFuture<HealthReport> f : pending) {
      parts.add(f.join());
    }
    boolean healthy = walked && parts.stream().allMatch(HealthReport::healthy);
    boolean recoverable = walked && parts.stream().allMatch(HealthReport::recoverable);
    int found = parts.stream().mapToInt(HealthReport::found).min().orElse(0);
    int happiness = parts.stream().mapToInt(HealthReport::happiness).min().orElse(0);
    int leases = parts.stream().mapToInt(HealthReport::leasesRenewed).sum();
    boolean repaired = parts.stream().anyMatch(HealthReport::repaired);
    int happy = Math.min(grid.config().params().happy(), cap.n());
    return new HealthReport(cap.toString(), "chunked", healthy, recoverable, cap.k(), happy,
        cap.n(), found, happiness, List.of(), repaired, leases, notes, parts);
  }

  private HealthReport part(org.cairnfs.caps.ImmutableVerifyCap cap, String kind,
      boolean verify, boolean repair, boolean lease) {
    return repair ? immutable.repair(cap, kind, lease) : immutable.check(cap, kind, verify,
        lease);
  }

  /** Reads manifest nodes through the grid, verified; this walk never writes. */
  private NodeStore store() {
    return new NodeStore() {
      @Override
      public EncodingParams params() {
        // Only for encoding new nodes (ManifestWalk.verify never asks).
        throw new UnsupportedOperationException("a health check encodes no manifest nodes");
      }

      @Override
      public ImmutableReadCap put(byte[] plaintext, byte[] key) {
        throw new UnsupportedOperationException("a health check writes no manifest nodes");
      }

      @Override
      public byte[] get(ImmutableReadCap file) throws IOException {
        try (ImmutableFile f = grid.open(file)) {
          return Await.get(f.read(0, (int) file.size()),
              grid.config().readTimeout().multipliedBy(4), "reading a manifest node");
        }
      }
    };
  }
}
