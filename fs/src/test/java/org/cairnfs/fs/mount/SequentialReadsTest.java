package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The default streaming reader over {@link GridBackend#read}: which bytes it yields and how many
 * grid reads it makes for them.
 */
class SequentialReadsTest {
  private static final int STEP = SequentialReads.STEP;

  private static String store(MemoryGrid grid, byte[] data) throws Exception {
    return grid.upload(new ByteArrayInputStream(data)).get();
  }

  private static byte[] drain(SequentialReads in, int chunk) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] b = new byte[chunk];
    int n;
    while ((n = in.read(b, 0, b.length)) >= 0) {
      out.write(b, 0, n);
    }
    return out.toByteArray();
  }

  /** A grid whose reads wait until the test completes them (the rest is never called). */
  private static final class HeldGrid implements GridBackend {
    final List<CompletableFuture<byte[]>> reads = new ArrayList<>();

    @Override
    public synchronized CompletableFuture<byte[]> read(String fileCap, long offset, int length) {
      CompletableFuture<byte[]> f = new CompletableFuture<>();
      reads.add(f);
      return f;
    }

    @Override
    public CompletableFuture<List<RemoteEntry>> list(String directoryCap) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<String> writeFile(FileWrite write) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<String> createDirectory() {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<List<EntryChange.Outcome>> applyChanges(String directoryCap,
      List<EntryChange> changes) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<GridSpace> space() {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean keepsUserXattrs() {
      return false;
    }
  }

  @Test
  void aRangeInsideTheFileYieldsExactlyItsBytes() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(3 * STEP + 1000, 1);
    String cap = store(grid, data);
    long off = 10;
    long len = 2L * STEP + 500; // ends inside the third step, well before the file's end
    try (SequentialReads in = new SequentialReads(grid, cap, off, len)) {
      assertThat(drain(in, 64 * 1024))
          .isEqualTo(Arrays.copyOfRange(data, (int) off, (int) (off + len)));
    }
  }

  @Test
  void aFileOfWholeStepsIsReadWithOneGridReadEachAndNoEmptyOneAfter() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(2 * STEP, 2);
    String cap = store(grid, data);
    int before = grid.reads.get();
    try (SequentialReads in = new SequentialReads(grid, cap, 0, data.length)) {
      assertThat(drain(in, 100_000)).isEqualTo(data);
    }
    // the range ends with the second step: no third read of zero bytes
    assertThat(grid.reads.get() - before).isEqualTo(2);
  }

  @Test
  void anOpenEndedStreamReadsWholeStepsToTheEndOfTheFile() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(2 * STEP + 7, 3);
    String cap = store(grid, data);
    int before = grid.reads.get();
    long off = 5;
    try (SequentialReads in = new SequentialReads(grid, cap, off, Long.MAX_VALUE)) {
      assertThat(drain(in, 300_000))
          .isEqualTo(Arrays.copyOfRange(data, (int) off, data.length));
    }
    assertThat(grid.reads.get() - before).as("two whole steps, then the short last one")
        .isEqualTo(3);
  }

  @Test
  void aRangeReachingPastTheLargestOffsetIsCutThere() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(1000, 4);
    String cap = store(grid, data);
    // offset + length overflows a long: the end is Long.MAX_VALUE, not a negative number
    try (SequentialReads in = new SequentialReads(grid, cap, 100, Long.MAX_VALUE - 50)) {
      assertThat(drain(in, 4096)).isEqualTo(Arrays.copyOfRange(data, 100, 1000));
    }
  }

  @Test
  void singleByteReadsGiveUnsignedBytesThenMinusOne() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = {(byte) 0xff, 0x01, (byte) 0x80};
    String cap = store(grid, data);
    try (SequentialReads in = new SequentialReads(grid, cap, 0, 10)) {
      assertThat(in.read()).isEqualTo(0xff);
      assertThat(in.read()).isEqualTo(0x01);
      assertThat(in.read()).isEqualTo(0x80);
      assertThat(in.read()).isEqualTo(-1);
      assertThat(in.read(new byte[4], 0, 0)).as("a read of nothing, even at the end").isZero();
      assertThat(in.read(new byte[4], 0, 4)).isEqualTo(-1);
    }
  }

  @Test
  void readsFillTheGivenOffsetOfTheBuffer() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(100, 5);
    String cap = store(grid, data);
    try (SequentialReads in = new SequentialReads(grid, cap, 0, 100)) {
      byte[] b = new byte[50];
      assertThat(in.read(b, 10, 40)).isEqualTo(40);
      assertThat(Arrays.copyOfRange(b, 10, 50)).isEqualTo(Arrays.copyOfRange(data, 0, 40));
      assertThat(in.read(b, 0, 50)).isEqualTo(50);
      assertThat(b).isEqualTo(Arrays.copyOfRange(data, 40, 90));
      assertThat(in.read(b, 0, 50)).isEqualTo(10);
    }
  }

  @Test
  void anEmptyRangeReadsNothingFromTheGrid() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String cap = store(grid, CoreFixture.bytes(100, 6));
    int before = grid.reads.get();
    try (SequentialReads in = new SequentialReads(grid, cap, 0, 0)) {
      assertThat(in.read()).isEqualTo(-1);
    }
    assertThat(grid.reads.get()).isEqualTo(before);
  }

  @Test
  void negativeOffsetsAndLengthsAreRefusedZeroIsNot() {
    HeldGrid grid = new HeldGrid();
    assertThatThrownBy(() -> new SequentialReads(grid, "c", -1, 10))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SequentialReads(grid, "c", 0, -1))
        .isInstanceOf(IllegalArgumentException.class);
    new SequentialReads(grid, "c", 0, 0).close();
  }

  @Test
  void closeCancelsTheReadAheadAndMayBeCalledTwice() throws Exception {
    HeldGrid grid = new HeldGrid();
    SequentialReads in = new SequentialReads(grid, "c", 0, 3L * STEP);
    assertThat(grid.reads).hasSize(1);
    grid.reads.get(0).complete(new byte[STEP]);
    assertThat(in.read(new byte[10], 0, 10)).isEqualTo(10);
    assertThat(grid.reads).as("the next step is asked for at once").hasSize(2);
    in.close();
    assertThat(grid.reads.get(1).isCancelled()).isTrue();
    in.close();
  }

  @Test
  void aFailedGridReadIsAnIoExceptionWithTheGridErrorAsCause() throws Exception {
    HeldGrid grid = new HeldGrid();
    try (SequentialReads in = new SequentialReads(grid, "c", 0, 100)) {
      GridException cause = new GridException(GridException.Kind.INTEGRITY, "bad block");
      grid.reads.get(0).completeExceptionally(cause);
      assertThatThrownBy(() -> in.read(new byte[10], 0, 10)).isInstanceOf(IOException.class)
          .hasCause(cause).hasMessageContaining("bad block");
    }
  }

  @Test
  void anInterruptedReaderGetsAnInterruptedIoExceptionAndKeepsItsInterrupt() throws Exception {
    HeldGrid grid = new HeldGrid();
    try (SequentialReads in = new SequentialReads(grid, "c", 0, 100)) {
      Thread.currentThread().interrupt();
      try {
        assertThatThrownBy(() -> in.read()).isInstanceOf(InterruptedIOException.class);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
      } finally {
        Thread.interrupted();
      }
    }
  }
}
