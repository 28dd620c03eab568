package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.caps.immutable.ShareLayout;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.WireLimits;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ImmutableFile}'s own rules over a {@link TwoServerFile}: argument checks, ranges ending
 * on a segment's edge, its lock, what a file no server could list says, and the runs its
 * read-ahead asks for.
 */
class ImmutableFileTest {
  static final int SEGMENT = TwoServerFile.SEGMENT;
  @TempDir Path dir;
  TwoServerFile fx;

  @BeforeEach
  void upload() throws Exception {
    fx = new TwoServerFile(dir, 34);
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  void negativeOffsetsAndLengthsAreRefusedAndZeroIsNot() throws Exception {
    assertThatThrownBy(() -> fx.file.read(-1, 10).get()).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> fx.file.read(0, -1).get()).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> fx.file.openStream(-1, 10))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> fx.file.openStream(0, -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(fx.file.read(0, 0).get()).isEmpty();
    try (var in = fx.file.openStream(0, 0)) {
      assertThat(in.readAllBytes()).isEmpty();
    }
    assertThat(fx.file.read(0, 5).get()).isEqualTo(Arrays.copyOf(fx.data, 5));
  }

  @Test
  void rangesEndingOnASegmentEdgeInsideTheFileReadExactlyThoseBytes() throws Exception {
    assertThat(fx.file.read(100, 2 * SEGMENT - 100).get())
        .isEqualTo(Arrays.copyOfRange(fx.data, 100, 2 * SEGMENT));
    assertThat(fx.file.read(SEGMENT, SEGMENT).get())
        .isEqualTo(Arrays.copyOfRange(fx.data, SEGMENT, 2 * SEGMENT));
    // a file one byte short of whole segments, read to its end
    byte[] short3 = Arrays.copyOf(fx.data, 3 * SEGMENT - 1);
    ImmutableReadCap c =
        (ImmutableReadCap) fx.client.upload(PlaintextSource.of(short3)).get().cap();
    try (ImmutableFile f = fx.client.open(c)) {
      assertThat(f.read(0, short3.length).get()).isEqualTo(short3);
      assertThat(f.read(SEGMENT + 1, 10 * SEGMENT).get())
          .isEqualTo(Arrays.copyOfRange(short3, SEGMENT + 1, short3.length));
    }
  }

  @Test
  void badSharesBeforeAnyReadIsEmptyAndLeavesTheFileToOtherThreads() throws Exception {
    assertThat(fx.file.badShares()).isEmpty();
    // read on a worker thread: it needs the lock badShares took
    assertThat(fx.file.read(0, 10).get(20, TimeUnit.SECONDS))
        .isEqualTo(Arrays.copyOf(fx.data, 10));
    assertThat(fx.file.badShares()).isEmpty();
  }

  @Test
  void aFileNoServerCouldListNamesEachServerAndWhatWentWrong() throws Exception {
    fx.grid.servers().forEach(s -> s.faults().failListings(true));
    try (ImmutableFile unlisted = fx.client.open(fx.cap)) {
      assertThatThrownBy(() -> unlisted.read(0, 10).get(20, TimeUnit.SECONDS))
          .cause().isInstanceOf(NotEnoughSharesException.class)
          .hasMessageContaining("; unreachable: ")
          .satisfies(e -> {
            for (TestServer s : fx.grid.servers()) {
              assertThat(e.getMessage())
                  .containsPattern(s.nodeId().shortForm() + "\\)? \\(.+\\)");
            }
          });
    } finally {
      fx.grid.servers().forEach(s -> s.faults().failListings(false));
    }
  }

  @Test
  void aFileTheServersAnswerForButDoNotHoldNamesNoServerUnreachable() throws Exception {
    fx.grid.servers().forEach(s -> s.faults().hideShares(true));
    try (ImmutableFile hidden = fx.client.open(fx.cap)) {
      assertThatThrownBy(() -> hidden.read(0, 10).get(20, TimeUnit.SECONDS))
          .cause().isInstanceOf(NotEnoughSharesException.class)
          .hasMessageContaining("found 0 distinct shares")
          .hasMessageNotContaining("unreachable");
    } finally {
      fx.grid.servers().forEach(s -> s.faults().hideShares(false));
    }
  }

  /**
   * Read-ahead, as the servers saw it: a read fetches the blocks of the segments it wants,
   * {@code readAhead} bytes of blocks ahead at most (two blocks here), and none past the range
   * it was asked for, all from the one server whose share the decoder opened (k = 1; which one
   * depends on their answer times), never from the other.
   */
  @Test
  void aReadFetchesBlocksReadAheadBytesAheadAndNothingPastItsRange() throws Exception {
    ShareLayout layout = ShareLayout.of(TwoServerFile.CONFIG.params(), TwoServerFile.SIZE);
    assertThat(layout.segmentCount()).isEqualTo(11);

    int[] before = readCounts();
    assertThat(fx.file.read(0, 10).get()).isEqualTo(Arrays.copyOf(fx.data, 10));
    assertThat(blockReadsFromOneServer(layout, before)).containsExactly(block(layout, 0, 0));

    try (ImmutableFile middle = fx.client.open(fx.cap)) {
      before = readCounts();
      assertThat(middle.read(4L * SEGMENT + 1, 2 * SEGMENT - 2).get())
          .isEqualTo(Arrays.copyOfRange(fx.data, 4 * SEGMENT + 1, 6 * SEGMENT - 1));
      assertThat(blockReadsFromOneServer(layout, before)).containsExactly(block(layout, 4, 5));
    }

    try (ImmutableFile whole = fx.client.open(fx.cap)) {
      before = readCounts();
      assertThat(whole.read(0, TwoServerFile.SIZE).get()).isEqualTo(fx.data);
      List<String> expected = new ArrayList<>(List.of(block(layout, 0, 1)));
      for (int s = 2; s < 11; s++) {
        expected.add(block(layout, s, s));
      }
      assertThat(blockReadsFromOneServer(layout, before)).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aFileWhoseEveryShareFailsBeforeItsLayoutIsKnownFailsWithWhy() throws Exception {
    fx.grid.servers().forEach(s -> s.faults().failReads(true));
    try (ImmutableFile broken = fx.client.open(fx.cap)) {
      assertThatThrownBy(() -> broken.read(0, 10).get(30, TimeUnit.SECONDS))
          .cause().isInstanceOf(IOException.class).hasMessageContaining("injected read failure");
    } finally {
      fx.grid.servers().forEach(s -> s.faults().failReads(false));
    }
  }

  @Test
  void laterReadsOfAnOpenFileReuseTheFrontOfItsShare() throws Exception {
    int[] before = readCounts();
    assertThat(fx.file.read(0, 3 * SEGMENT).get()).isEqualTo(Arrays.copyOf(fx.data, 3 * SEGMENT));
    assertThat(fx.file.read(SEGMENT, 10).get())
        .isEqualTo(Arrays.copyOfRange(fx.data, SEGMENT, SEGMENT + 10));
    assertThat(fx.file.read(3 * SEGMENT, SEGMENT).get())
        .isEqualTo(Arrays.copyOfRange(fx.data, 3 * SEGMENT, 4 * SEGMENT));
    // the front (header, extension, chain and both trees) in one read, guessed from the cap
    long blocks = ShareLayout.of(TwoServerFile.CONFIG.params(), TwoServerFile.SIZE).blocksOffset();
    List<String> fronts = new ArrayList<>();
    for (int i = 0; i < before.length; i++) {
      List<Request.ReadRange> reads = fx.grid.server(i).faults().readRanges();
      reads.subList(before[i], reads.size()).stream().filter(r -> r.offset() < blocks)
          .forEach(r -> fronts.add(r.offset() + "+" + r.length()));
    }
    assertThat(fronts).containsExactly("0+" + blocks);
  }

  /**
   * A read-ahead longer than one request is asked for in runs of whole blocks: with blocks that
   * do not divide the 1 MiB a request may ask (3 000 bytes), every block comes in exactly one
   * answer, none is asked for twice, and every run but the last is as long as whole blocks allow.
   */
  @Test
  void aLongReadAheadIsAskedInRunsOfWholeBlocks(@TempDir Path own) throws Exception {
    int segment = 3000;
    GridConfig config = GridConfig.builder()
        .params(EncodingParams.builder().k(1).happy(1).n(2).segmentSize(segment).build())
        .readTimeout(Duration.ofSeconds(5)).readAhead(4 << 20).build();
    byte[] data = new byte[2_500_000]; // one read-ahead window: three runs
    new Random(35).nextBytes(data);
    try (TestGrid grid = new TestGrid(own, 2)) {
      GridClient client = grid.client(config);
      ImmutableReadCap cap = (ImmutableReadCap) client.upload(PlaintextSource.of(data)).get().cap();
      ShareLayout layout = ShareLayout.of(config.params(), data.length);
      try (ImmutableFile file = client.open(cap)) {
        assertThat(file.read(0, data.length).get()).isEqualTo(data);
      }
      List<Request.ReadRange> blocks = new ArrayList<>();
      grid.servers().forEach(srv -> srv.faults().readRanges().stream()
          .filter(r -> r.offset() >= layout.blocksOffset()).forEach(blocks::add));
      blocks.sort(Comparator.comparingLong(Request.ReadRange::offset));
      long at = layout.blocksOffset();
      int whole = WireLimits.MAX_CHUNK / segment * segment;
      for (int i = 0; i < blocks.size(); i++) {
        Request.ReadRange r = blocks.get(i);
        assertThat(r.offset()).as("run %d starts where the last ended", i).isEqualTo(at);
        if (i < blocks.size() - 1) {
          assertThat(r.length()).as("run %d", i).isEqualTo(whole);
        }
        at += r.length();
      }
      assertThat(blocks).hasSize(3);
      assertThat(at).isEqualTo(layout.blockOffset(layout.segmentCount() - 1)
          + layout.blockLength(layout.segmentCount() - 1));
    }
  }

  private int[] readCounts() {
    return fx.grid.servers().stream().mapToInt(s -> s.faults().readRanges().size()).toArray();
  }

  /**
   * "offset+length" of each read at or past the blocks since {@code before}, by offset, after
   * checking that they all went to one server.
   */
  private List<String> blockReadsFromOneServer(ShareLayout layout, int[] before) {
    List<String> out = List.of();
    for (int i = 0; i < before.length; i++) {
      List<Request.ReadRange> reads = fx.grid.server(i).faults().readRanges();
      List<String> blocks = reads.subList(before[i], reads.size()).stream()
          .filter(r -> r.offset() >= layout.blocksOffset())
          .sorted(Comparator.comparingLong(Request.ReadRange::offset))
          .map(r -> r.offset() + "+" + r.length()).toList();
      if (!blocks.isEmpty()) {
        assertThat(out).as("blocks read from two servers").isEmpty();
        out = blocks;
      }
    }
    return out;
  }

  /** "offset+length" of the blocks of segments {@code from..to}. */
  private static String block(ShareLayout layout, int from, int to) {
    return layout.blockOffset(from) + "+"
        + (layout.blockOffset(to) + layout.blockLength(to) - layout.blockOffset(from));
  }
}
