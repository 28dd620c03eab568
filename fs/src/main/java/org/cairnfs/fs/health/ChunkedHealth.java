package org.cairnfs.fs.health;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
 * per node and chunk what {@link ImmutableHealth} costs for one file. Parts are handled one
 * after another; memory is one node per tree level plus one part's check.
 */
final class ChunkedHealth {
  private final GridClient grid;
  private final ImmutableHealth immutable;

  ChunkedHealth(GridClient grid, ImmutableHealth immutable) {
    this.grid = grid;
    this.immutable = immutable;
  }

  HealthReport run(ChunkedVerifyCap cap, boolean verify, boolean repair, boolean lease) {
    List<HealthReport> parts = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    boolean walked = true;
    try {
      ManifestWalk.verify(cap, store(), entry -> {
        if (entry instanceof VerifyEntry.Node node) {
          parts.add(part(node.file().verifier(), "manifest node", verify, repair, lease));
        } else if (entry instanceof VerifyEntry.Chunk chunk) {
          parts.add(part(chunk.cap(), "chunk", verify, repair, lease));
        }
      });
    } catch (IOException | RuntimeException e) {
      walked = false;
      notes.add("the manifest could not be walked to its end, so chunks after this point "
          + "were not checked: " + e.getMessage());
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
        return grid.config().params();
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
