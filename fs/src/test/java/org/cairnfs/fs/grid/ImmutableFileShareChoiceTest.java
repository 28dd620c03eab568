package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.testing.FaultyBackend;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.protocol.identity.NodeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which k shares a download reads ({@link ImmutableFile}'s preference): those on servers that
 * answered within about twice the k-th fastest, data shares before parity among them, and after
 * a failure the next fastest of the slow ones. Six servers holding one share each of a 3-of-6
 * file; a server is made slow by delaying its answer to "which shares do you hold", the answer
 * whose time the locator records. The delays are far apart (hundreds of milliseconds) so that
 * a loaded machine does not reorder them.
 */
class ImmutableFileShareChoiceTest {
  static final int SEGMENT = 4096;
  static final GridConfig CONFIG = GridConfig.builder()
      .params(EncodingParams.builder().k(3).happy(6).n(6).segmentSize(SEGMENT).build())
      .readTimeout(Duration.ofSeconds(10)).locateGrace(Duration.ofSeconds(10))
      .readAhead(2 * SEGMENT).build();

  @TempDir Path dir;
  TestGrid grid;
  GridClient client;
  byte[] data = new byte[10 * SEGMENT + 5];
  ImmutableReadCap cap;
  Map<Integer, List<NodeId>> placement;

  @BeforeEach
  void upload() throws Exception {
    grid = new TestGrid(dir, 6);
    client = grid.client(CONFIG);
    new Random(7).nextBytes(data);
    UploadResult r = client.upload(PlaintextSource.of(data)).get();
    cap = (ImmutableReadCap) r.cap();
    placement = r.placement();
    assertThat(placement).hasSize(6).allSatisfy((share, holders) ->
        assertThat(holders).hasSize(1));
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  @Test
  void aSlowServersShareIsNotReadWhileKFastOnesHoldShares() throws Exception {
    holder(2).delayListing(1500); // third in share order, not among the three fastest
    assertThat(readAll()).isEqualTo(data);
    assertThat(reads(2)).isZero();
    assertThat(reads(0)).isPositive();
    assertThat(reads(1)).isPositive();
    assertThat(reads(3)).as("the first parity share replaces the slow data share").isPositive();
    assertThat(reads(4) + reads(5)).isZero();
  }

  @Test
  void whenAFastShareFailsTheFastestOfTheSlowOnesReplacesIt() throws Exception {
    holder(3).delayListing(1200);
    holder(4).delayListing(400);
    holder(5).delayListing(800);
    holder(0).failReads(true);
    assertThat(readAll()).isEqualTo(data);
    assertThat(reads(0)).isPositive();
    assertThat(reads(4)).as("the fastest of the slow shares").isPositive();
    assertThat(reads(3) + reads(5)).isZero();
  }

  @Test
  void amongFastServersDataSharesComeFirstEvenWhenAParityShareAnsweredSooner() throws Exception {
    for (int share = 0; share < 3; share++) {
      holder(share).delayListing(300); // the k-th fastest: fast means within about 650 ms
    }
    holder(3).delayListing(150);
    holder(4).delayListing(1500);
    holder(5).delayListing(1500);
    assertThat(readAll()).isEqualTo(data);
    assertThat(reads(0) * reads(1) * reads(2)).isPositive();
    assertThat(reads(3) + reads(4) + reads(5)).isZero();
  }

  @Test
  void aShareNotYetLocatedWhenReadingStartsIsTriedLast() throws Exception {
    GridClient quick = grid.client(CONFIG.toBuilder().locateGrace(Duration.ofMillis(100)).build());
    holder(0).holdListing(true);
    try (ImmutableFile file = quick.open(cap)) {
      assertThat(file.read(0, data.length).get()).isEqualTo(data);
      assertThat(file.badShares()).isEmpty();
    } finally {
      holder(0).release();
    }
    assertThat(reads(0)).isZero();
  }

  private byte[] readAll() throws Exception {
    try (ImmutableFile file = client.open(cap)) {
      return file.read(0, data.length).get();
    }
  }

  private FaultyBackend holder(int share) {
    return grid.byId(placement.get(share).get(0)).faults();
  }

  private int reads(int share) {
    return holder(share).reads();
  }
}
