package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.protocol.identity.NodeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader whose known copies all fail must look for copies further along the ring than the
 * first 2n servers, even though those servers listed k shares or more (the locator alone stops
 * asking once k are known). Grids built as an upload that met full servers leaves them: the
 * servers with room early on the ring take two shares each, and the shares not credited get
 * second copies past the first 2n.
 */
class ReadFurtherAlongTheRingTest {
  @TempDir Path dir;
  TestGrid grid;

  @AfterEach
  void stop() {
    if (grid != null) {
      grid.close();
    }
  }

  /**
   * Uploads {@code data} with the first {@code full} servers of the ring full, then makes the
   * servers that took two shares fail every read (or, with {@code corrupt}, flips a byte in the
   * middle of each of their shares, so the hash trees read fine and a segment fails), and reads
   * the file back.
   */
  void uploadBreakDoublesAndRead(int servers, int full, EncodingParams params, long seed,
      boolean corrupt) throws Exception {
    grid = new TestGrid(dir, servers);
    GridClient client = grid.client(UploadFaultsTest.FAST);
    byte[] data = UploadFaultsTest.random(300_000, seed);
    List<NodeId> ring = ImmutableUploadPinsTest.ring(client, data, params);
    ImmutableUploadPinsTest.full(grid, ring.subList(0, full), true);
    UploadResult r = ImmutableUploadPinsTest.upload(client, data, params);
    ImmutableUploadPinsTest.full(grid, ring.subList(0, full), false);
    int batch = 2 * params.n();
    // Which servers hold how many shares, and where the second copies are.
    Map<NodeId, Long> sharesOn = r.placement().values().stream().flatMap(List::stream)
        .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    List<NodeId> doubles = sharesOn.entrySet().stream().filter(e -> e.getValue() == 2)
        .map(Map.Entry::getKey).toList();
    assertThat(doubles).as("servers holding two shares").isNotEmpty()
        .allSatisfy(id -> assertThat(ring.indexOf(id)).isLessThan(batch));
    long onDoubles = r.placement().values().stream()
        .filter(holders -> holders.stream().anyMatch(doubles::contains)).count();
    assertThat(onDoubles).as("the first 2n hold at least k shares, all on the doubles")
        .isGreaterThanOrEqualTo(params.k());
    assertThat(r.placement().values()).allSatisfy(holders -> {
      if (holders.size() == 2) {
        assertThat(holders).anySatisfy(id -> assertThat(ring.indexOf(id))
            .as("a second copy past the first 2n").isGreaterThanOrEqualTo(batch));
      }
    });
    StorageIndex si = r.index().orElseThrow();
    for (NodeId id : doubles) {
      if (!corrupt) {
        grid.byId(id).faults().failReads(true);
        continue;
      }
      for (int share : grid.byId(id).shares(si)) {
        Path file = grid.byId(id).sharePath(si, share);
        DownloadFaultsTest.corrupt(file, Files.size(file) / 2);
      }
    }
    List<NodeId> further = ring.subList(batch, ring.size());
    int before = further.stream().mapToInt(id -> grid.byId(id).faults().listings()).sum();
    UploadFaultsTest.assertReadsBack(client, r, data);
    int after = further.stream().mapToInt(id -> grid.byId(id).faults().listings()).sum();
    assertThat(after).as("servers past the first 2n asked by the reader").isGreaterThan(before);
  }

  /** Twelve servers, 2-of-4: the first six full, so ring positions 6 and 7 take two each. */
  @Test
  void copiesPastTheFirstTwoNAreFoundWhenTheKnownOnesFailReads() throws Exception {
    uploadBreakDoublesAndRead(12, 6, ImmutableUploadPinsTest.FOUR, 61, false);
  }

  /** The same grid with the known copies corrupt mid-share: the failure comes in a segment. */
  @Test
  void copiesPastTheFirstTwoNReplaceKnownOnesCorruptMidShare() throws Exception {
    uploadBreakDoublesAndRead(12, 6, ImmutableUploadPinsTest.FOUR, 63, true);
  }

  /**
   * The reviewer's grid: thirty servers, default 3-of-10, the first fifteen full; five servers
   * take two shares each and five shares get second copies at ring positions 20 to 24.
   */
  @Test
  void theReviewersGridOfThirtyServersReadsBack() throws Exception {
    uploadBreakDoublesAndRead(30, 15, EncodingParams.DEFAULTS, 62, false);
  }
}
