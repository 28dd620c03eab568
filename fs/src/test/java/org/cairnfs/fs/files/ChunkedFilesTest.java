package org.cairnfs.fs.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.manifest.ChunkRef;
import org.cairnfs.caps.manifest.ManifestGeometry;
import org.cairnfs.caps.manifest.ManifestWalk;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.grid.NotEnoughSharesException;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Chunked files through ten real storage servers, 3-of-10, 16 KiB chunks of four 4 KiB
 * segments, so that chunk and segment edges are cheap to reach.
 */
class ChunkedFilesTest {
  static final int C = 16 * 1024;
  static final EncodingParams PARAMS = EncodingParams.builder().k(3).happy(7).n(10)
      .segmentSize(4096).build();
  @TempDir static Path dir;
  static TestGrid grid;
  static GridClient client;
  static ChunkedFiles files;

  @BeforeAll
  static void start() throws Exception {
    grid = new TestGrid(dir, 10);
    client = grid.client(GridConfig.builder().params(PARAMS).build());
    files = ChunkedFiles.create(client, FilesConfig.builder().chunkSize(C).parallelUploads(3)
        .parallelDownloads(3).build());
  }

  @AfterAll
  static void stop() {
    grid.close();
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static Cap upload(byte[] data) throws Exception {
    return files.upload(new java.io.ByteArrayInputStream(data)).get();
  }

  static byte[] readAll(Cap cap) throws Exception {
    try (InputStream in = files.open(cap, 0, Long.MAX_VALUE)) {
      return in.readAllBytes();
    }
  }

  static List<ChunkRef> chunks(Cap cap) throws IOException {
    List<ChunkRef> out = new ArrayList<>();
    long count = cap instanceof ChunkedReadCap c ? ManifestGeometry.of(c).chunkCount() : 1;
    ManifestWalk.chunks(cap, files.nodes(), 0, count, (i, chunk) -> out.add(chunk));
    return out;
  }

  /** The source of an edit: bytes of {@code content} (the expected new version). */
  static FileEdit.Source sourceOf(byte[] content) {
    return (offset, dst) -> dst.put(content, (int) offset, dst.remaining());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 55, 56, C - 1, C, C + 1, 3 * C, 3 * C + 17})
  void roundTripsAtChunkBoundaries(int size) throws Exception {
    byte[] data = random(size, size);
    Cap cap = upload(data);
    if (size <= LiteralCap.MAX_SIZE) {
      assertThat(cap).isEqualTo(new LiteralCap(data));
    } else if (size <= C) {
      assertThat(cap).isInstanceOf(ImmutableReadCap.class);
    } else {
      assertThat(cap).isInstanceOfSatisfying(ChunkedReadCap.class, c -> {
        assertThat(c.chunkSize()).isEqualTo(C);
        assertThat(c.size()).isEqualTo(size);
      });
    }
    assertThat(ChunkedFiles.sizeOf(cap)).isEqualTo(size);
    assertThat(readAll(cap)).isEqualTo(data);
    assertThat(files.read(cap, 0, size + 10).get()).isEqualTo(data);
    // The same bytes written as a new file give the same cap (convergent chunks and nodes).
    assertThat(files.write(FileEdit.newFile(size, sourceOf(data))).get()).isEqualTo(cap);
  }

  @Test
  void uploadsAndRewritesTogetherStayInsideTheClientsChunkBudget() throws Exception {
    ChunkedFiles budgeted = ChunkedFiles.create(client, FilesConfig.builder().chunkSize(C)
        .parallelUploads(3).chunkBudget(2).build());
    List<byte[]> data = new ArrayList<>();
    List<java.util.concurrent.CompletableFuture<Cap>> made = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      byte[] d = random(6 * C + i, 700 + i);
      data.add(d);
      made.add(i % 2 == 0 ? budgeted.upload(new java.io.ByteArrayInputStream(d))
          : budgeted.write(FileEdit.newFile(d.length, sourceOf(d))));
    }
    for (int i = 0; i < 4; i++) {
      assertThat(readAll(made.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS)))
          .isEqualTo(data.get(i));
    }
    assertThat(budgeted.chunkBudgetPeakKib()).isPositive().isLessThanOrEqualTo(2 * C >> 10);
  }

  @Test
  void smallFilesShareTheChunkBudgetByTheirSize() throws Exception {
    ChunkedFiles budgeted = ChunkedFiles.create(client, FilesConfig.builder().chunkSize(C)
        .parallelUploads(2).chunkBudget(1).build());
    List<java.util.concurrent.CompletableFuture<Cap>> made = new ArrayList<>();
    List<byte[]> data = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      byte[] d = random(1000 + i, 500 + i); // one KiB each: sixteen fit one 16 KiB chunk
      data.add(d);
      made.add(budgeted.upload(new java.io.ByteArrayInputStream(d)));
    }
    for (int i = 0; i < 12; i++) {
      assertThat(readAll(made.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS)))
          .isEqualTo(data.get(i));
    }
    assertThat(budgeted.chunkBudgetPeakKib()).isLessThanOrEqualTo(C >> 10);
  }

  @Test
  void aFailedUploadGivesItsChunkSlotsBack() throws Exception {
    ChunkedFiles budgeted = ChunkedFiles.create(client, FilesConfig.builder().chunkSize(C)
        .parallelUploads(2).chunkBudget(1).build());
    byte[] d = random(3 * C, 77);
    InputStream failing = new java.io.SequenceInputStream(
        new java.io.ByteArrayInputStream(d, 0, C + 5), new InputStream() {
          @Override
          public int read() throws IOException {
            throw new IOException("the disk went away");
          }
        });
    assertThatThrownBy(() -> budgeted.upload(failing).get(60,
        java.util.concurrent.TimeUnit.SECONDS)).hasRootCauseMessage("the disk went away");
    // with a slot lost, this would wait forever
    Cap cap = budgeted.upload(new java.io.ByteArrayInputStream(d)).get(60,
        java.util.concurrent.TimeUnit.SECONDS);
    assertThat(readAll(cap)).isEqualTo(d);
    assertThat(budgeted.chunkBudgetPeakKib()).isEqualTo(C >> 10);
  }

  @Test
  void aStalledStreamHoldsNoSlotOtherUploadsWaitFor() throws Exception {
    ChunkedFiles budgeted = ChunkedFiles.create(client, FilesConfig.builder().chunkSize(C)
        .parallelUploads(2).chunkBudget(1).build());
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
    byte[] slow = random(2 * C + 3, 91);
    InputStream stalled = new java.io.FilterInputStream(new java.io.ByteArrayInputStream(slow)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        reading.countDown();
        try {
          go.await(); // a client that sends nothing yet
        } catch (InterruptedException e) {
          throw new java.io.InterruptedIOException();
        }
        return super.read(b, off, len);
      }
    };
    java.util.concurrent.CompletableFuture<Cap> first = budgeted.upload(stalled);
    assertThat(reading.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    byte[] quick = random(C + 9, 92);
    Cap cap = budgeted.upload(new java.io.ByteArrayInputStream(quick)).get(30,
        java.util.concurrent.TimeUnit.SECONDS);
    assertThat(readAll(cap)).isEqualTo(quick);
    assertThat(first).isNotDone();
    go.countDown();
    assertThat(readAll(first.get(30, java.util.concurrent.TimeUnit.SECONDS))).isEqualTo(slow);
  }

  @Test
  void rangeReadsAtChunkAndSegmentEdges() throws Exception {
    int size = 5 * C + 100;
    byte[] data = random(size, 42);
    Cap cap = upload(data);
    long[][] ranges = {{0, 1}, {C - 1, 2}, {C, C}, {C - 1, C + 2}, {4096 - 1, 2},
        {2L * C + 4096 * 2 - 3, 7}, {size - 1, 1}, {size - 100, 5000}, {size, 10}, {17, 0},
        {C + 5, 3L * C}};
    for (long[] r : ranges) {
      int length = (int) r[1];
      byte[] expected = Arrays.copyOfRange(data, (int) Math.min(size, r[0]),
          (int) Math.min(size, r[0] + length));
      assertThat(files.read(cap, r[0], length).get()).as("read %d+%d", r[0], length)
          .isEqualTo(expected);
      try (InputStream in = files.open(cap, r[0], length)) {
        assertThat(in.readAllBytes()).as("stream %d+%d", r[0], length).isEqualTo(expected);
      }
    }
  }

  /**
   * {@code readNBytes(n)} of the stream, which hands over a whole segment without a copy when
   * asked for exactly the next one: every length gives the right bytes, whether it is one
   * segment, less, more, across a chunk's end, or past the range.
   */
  @Test
  void readNBytesGivesItsBytesForEveryLengthAndSegmentsWhole() throws Exception {
    int size = 3 * C + 100;
    byte[] data = random(size, 45);
    Cap cap = upload(data);
    int segment = PARAMS.segmentSize();
    int[] lengths = {segment, segment, 10, segment - 10, segment, 2 * segment + 3, 0, segment,
        C, size};
    for (long start : new long[] {0, segment, 5}) {
      try (InputStream in = files.open(cap, start, size)) {
        long at = start;
        for (int n : lengths) {
          byte[] got = in.readNBytes(n);
          int to = (int) Math.min(size, at + n);
          assertThat(got).as("%d bytes at %d", n, at)
              .isEqualTo(Arrays.copyOfRange(data, (int) at, to));
          at = to;
        }
        assertThat(in.readNBytes(segment)).isEmpty();
        assertThatThrownBy(() -> in.readNBytes(-1)).isInstanceOf(IllegalArgumentException.class);
      }
    }
    try (InputStream in = files.open(cap, 0, size)) { // readAllBytes asks Integer.MAX_VALUE
      assertThat(in.readNBytes(10)).isEqualTo(Arrays.copyOf(data, 10));
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 10, size));
    }
  }

  @Test
  void aRangeFetchesOnlyTheChunksItTouches() throws Exception {
    int size = 4 * C;
    byte[] data = random(size, 43);
    Cap cap = upload(data);
    ImmutableReadCap first = ((ChunkRef.Stored) chunks(cap).get(0)).cap();
    for (TestServer s : grid.servers()) {
      for (int share : s.shares(first.index())) {
        Files.delete(s.sharePath(first.index(), share));
      }
    }
    // Chunk 0 is gone from every server; ranges that avoid it still read.
    assertThat(files.read(cap, C, 2 * C).get())
        .isEqualTo(Arrays.copyOfRange(data, C, 3 * C));
    assertThatThrownBy(() -> files.read(cap, C - 1, 2).get())
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(NotEnoughSharesException.class);
    try (InputStream in = files.open(cap, 0, size)) {
      assertThatThrownBy(in::readAllBytes).isInstanceOf(NotEnoughSharesException.class);
    }
  }

  /** A stream walks the manifest once per leaf, not once per chunk (cache hits counted too). */
  @Test
  void aStreamLooksUpEachManifestNodeOnce() throws Exception {
    int size = 5 * C + 10; // six chunks, all in the root node
    byte[] data = random(size, 45);
    Cap cap = upload(data);
    long before = files.counters().nodeLookups();
    assertThat(readAll(cap)).isEqualTo(data);
    assertThat(files.counters().nodeLookups() - before).isEqualTo(1);
    before = files.counters().nodeLookups();
    try (InputStream in = files.open(cap, C + 1, size - C - 1)) {
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, C + 1, size));
    }
    assertThat(files.counters().nodeLookups() - before).isEqualTo(1);
  }

  @Test
  void aRewriteInTheMiddleUploadsOneChunkAndKeepsTheOthers() throws Exception {
    int size = 5 * C + 10;
    byte[] data = random(size, 44);
    Cap base = upload(data);
    byte[] next = data.clone();
    next[2 * C + 5] ^= 0x5a;
    ChunkedFiles.Counters before = files.counters();
    Cap cap = files.write(new FileEdit(Optional.of(base), size, size,
        List.of(new FileEdit.Range(2 * C + 5, 1)), sourceOf(next))).get();
    ChunkedFiles.Counters after = files.counters();
    assertThat(after.chunksUploaded() - before.chunksUploaded()).isEqualTo(1);
    assertThat(after.chunkBytesUploaded() - before.chunkBytesUploaded()).isEqualTo(C);
    assertThat(after.nodesWritten() - before.nodesWritten()).isEqualTo(1);
    assertThat(readAll(cap)).isEqualTo(next);
    List<ChunkRef> old = chunks(base);
    List<ChunkRef> now = chunks(cap);
    assertThat(now).hasSize(old.size());
    for (int i = 0; i < now.size(); i++) {
      if (i == 2) {
        assertThat(now.get(i)).isNotEqualTo(old.get(i));
      } else {
        assertThat(now.get(i)).as("chunk %d", i).isEqualTo(old.get(i));
      }
    }
    // The same content as a fresh upload has the same cap.
    assertThat(upload(next)).isEqualTo(cap);
  }

  @Test
  void anAppendRemakesOnlyTheOldLastChunkAndTheNewOnes() throws Exception {
    int size = 2 * C + 100;
    byte[] data = random(size, 45);
    Cap base = upload(data);
    byte[] next = Arrays.copyOf(data, 4 * C + 300);
    System.arraycopy(random(next.length - size, 46), 0, next, size, next.length - size);
    ChunkedFiles.Counters before = files.counters();
    Cap cap = files.write(new FileEdit(Optional.of(base), size, next.length,
        List.of(new FileEdit.Range(size, next.length - size)), sourceOf(next))).get();
    ChunkedFiles.Counters after = files.counters();
    assertThat(after.chunksUploaded() - before.chunksUploaded()).isEqualTo(3);
    assertThat(readAll(cap)).isEqualTo(next);
    List<ChunkRef> old = chunks(base);
    List<ChunkRef> now = chunks(cap);
    assertThat(now.subList(0, 2)).isEqualTo(old.subList(0, 2));
    assertThat(now).hasSize(5);
  }

  @Test
  void anAppendToAOneChunkFileMakesAManifest() throws Exception {
    byte[] data = random(1000, 47);
    Cap base = upload(data);
    assertThat(base).isInstanceOf(ImmutableReadCap.class);
    byte[] next = Arrays.copyOf(data, C + 500);
    System.arraycopy(random(C - 500, 48), 0, next, 1000, C - 500);
    Cap cap = files.write(new FileEdit(Optional.of(base), 1000, next.length,
        List.of(new FileEdit.Range(1000, next.length - 1000)), sourceOf(next))).get();
    assertThat(cap).isInstanceOf(ChunkedReadCap.class);
    assertThat(readAll(cap)).isEqualTo(next);
    assertThat(cap).isEqualTo(upload(next));
  }

  @Test
  void aLiteralBaseGrowsIntoAStoredChunkAndBack() throws Exception {
    byte[] data = random(20, 60);
    Cap base = upload(data);
    assertThat(base).isInstanceOf(LiteralCap.class);
    byte[] next = Arrays.copyOf(data, 300);
    System.arraycopy(random(280, 61), 0, next, 20, 280);
    Cap grown = files.write(new FileEdit(Optional.of(base), 20, 300,
        List.of(new FileEdit.Range(20, 280)), sourceOf(next))).get();
    assertThat(grown).isInstanceOf(ImmutableReadCap.class);
    assertThat(readAll(grown)).isEqualTo(next);
    Cap shrunk = files.write(new FileEdit(Optional.of(grown), 30, 30, List.of(),
        (o, d) -> { throw new IOException("unused"); })).get();
    assertThat(shrunk).isEqualTo(new LiteralCap(Arrays.copyOf(next, 30)));
  }

  @Test
  void shrinkingTruncateKeepsTheLeadingChunks() throws Exception {
    int size = 4 * C;
    byte[] data = random(size, 49);
    Cap base = upload(data);
    int newSize = 2 * C + 700;
    ChunkedFiles.Counters before = files.counters();
    Cap cap = files.write(new FileEdit(Optional.of(base), newSize, newSize, List.of(),
        (o, d) -> { throw new IOException("no dirty bytes to read"); })).get();
    assertThat(files.counters().chunksUploaded() - before.chunksUploaded()).isEqualTo(1);
    assertThat(readAll(cap)).isEqualTo(Arrays.copyOf(data, newSize));
    assertThat(chunks(cap).subList(0, 2)).isEqualTo(chunks(base).subList(0, 2));
    // Down to one chunk: the file is that chunk's own cap again.
    Cap one = files.write(new FileEdit(Optional.of(cap), C, C, List.of(),
        (o, d) -> { throw new IOException("unused"); })).get();
    assertThat(one).isEqualTo(chunks(base).get(0) instanceof ChunkRef.Stored s ? s.cap() : null);
    // And to nothing.
    assertThat(files.write(new FileEdit(Optional.of(cap), 0, 0, List.of(),
        (o, d) -> { })).get()).isEqualTo(new LiteralCap(new byte[0]));
  }

  @Test
  void truncateThenGrowReadsZerosWhereTheOldBytesWere() throws Exception {
    int size = 3 * C;
    byte[] data = random(size, 50);
    Cap base = upload(data);
    int valid = C + C / 2;
    int newSize = 6 * C + 11;
    byte[] expected = new byte[newSize];
    System.arraycopy(data, 0, expected, 0, valid);
    // and a few new bytes past the old end
    byte[] tail = random(11, 51);
    System.arraycopy(tail, 0, expected, 6 * C, 11);
    ChunkedFiles.Counters before = files.counters();
    Cap cap = files.write(new FileEdit(Optional.of(base), valid, newSize,
        List.of(new FileEdit.Range(6 * C, 11)), sourceOf(expected))).get();
    ChunkedFiles.Counters after = files.counters();
    assertThat(readAll(cap)).isEqualTo(expected);
    // chunk 1 (cut at 1.5 C) is remade; chunk 2 becomes a hole; 3..5 are new holes; the
    // 11-byte tail is a literal; chunk 0 is kept.
    assertThat(after.chunksUploaded() - before.chunksUploaded()).isEqualTo(1);
    List<ChunkRef> now = chunks(cap);
    assertThat(now.get(0)).isEqualTo(chunks(base).get(0));
    assertThat(now.get(2)).isInstanceOf(ChunkRef.Hole.class);
    assertThat(now.get(4)).isInstanceOf(ChunkRef.Hole.class);
    assertThat(now.get(6)).isInstanceOf(ChunkRef.Literal.class);
  }

  /** Chunk arrays are reused (ReusedArrays): one that held other bytes must not leak them. */
  @Test
  void aReusedChunkArrayReadsZerosWhereNeitherBaseNorEditWrote() throws Exception {
    byte[] noise = random(4 * C, 60);
    files.write(FileEdit.newFile(noise.length, sourceOf(noise))).get(); // arrays go back full
    byte[] data = random(2 * C, 61);
    Cap base = files.write(FileEdit.newFile(data.length, sourceOf(data))).get();
    int valid = C + C / 3;
    int newSize = 2 * C;
    byte[] expected = new byte[newSize];
    System.arraycopy(data, 0, expected, 0, valid);
    Cap cap = files.write(new FileEdit(Optional.of(base), valid, newSize, List.of(),
        sourceOf(expected))).get();
    assertThat(readAll(cap)).isEqualTo(expected);
  }

  @Test
  void holesCostNothingAndReadAsZeros() throws Exception {
    int size = 8 * C;
    byte[] expected = new byte[size];
    byte[] head = random(100, 52);
    byte[] mid = random(C, 53);
    System.arraycopy(head, 0, expected, 0, 100);
    System.arraycopy(mid, 0, expected, 5 * C, C);
    ChunkedFiles.Counters before = files.counters();
    Cap cap = files.write(new FileEdit(Optional.empty(), 0, size,
        List.of(new FileEdit.Range(0, 100), new FileEdit.Range(5 * C, C)),
        sourceOf(expected))).get();
    ChunkedFiles.Counters after = files.counters();
    assertThat(after.chunksUploaded() - before.chunksUploaded()).isEqualTo(2);
    assertThat(after.holesWritten() - before.holesWritten()).isEqualTo(6);
    assertThat(readAll(cap)).isEqualTo(expected);
    assertThat(files.read(cap, 2 * C + 3, C).get()).isEqualTo(new byte[C]);
    // A streamed file of zeros is holes too.
    Cap zeros = upload(new byte[3 * C]);
    assertThat(chunks(zeros)).allMatch(c -> c instanceof ChunkRef.Hole);
    assertThat(readAll(zeros)).isEqualTo(new byte[3 * C]);
  }

  @Test
  void aBaseStoredWholeIsRechunked() throws Exception {
    int size = 3 * C + 5;
    byte[] data = random(size, 54);
    Cap whole = client.upload(org.cairnfs.caps.immutable.PlaintextSource.of(data)).get().cap();
    byte[] next = data.clone();
    next[10] = 1;
    Cap cap = files.write(new FileEdit(Optional.of(whole), size, size,
        List.of(new FileEdit.Range(10, 1)), sourceOf(next))).get();
    assertThat(cap).isInstanceOf(ChunkedReadCap.class);
    assertThat(readAll(cap)).isEqualTo(next);
    assertThat(readAll(whole)).isEqualTo(data);
  }

  @Test
  void corruptSharesOfAChunkAreSkipped() throws Exception {
    int size = 3 * C;
    byte[] data = random(size, 55);
    Cap cap = upload(data);
    ImmutableReadCap middle = ((ChunkRef.Stored) chunks(cap).get(1)).cap();
    int corrupted = 0;
    for (TestServer s : grid.servers()) {
      for (int share : s.shares(middle.index())) {
        if (corrupted < 7 && share < 3) {
          Path p = s.sharePath(middle.index(), share);
          byte[] bytes = Files.readAllBytes(p);
          for (int i = bytes.length / 4; i < bytes.length; i += 97) {
            bytes[i] ^= (byte) 0xff;
          }
          Files.write(p, bytes);
          corrupted++;
        }
      }
    }
    assertThat(corrupted).isEqualTo(3);
    assertThat(readAll(cap)).isEqualTo(data);
    assertThat(files.read(cap, C + 10, 20).get())
        .isEqualTo(Arrays.copyOfRange(data, C + 10, C + 30));
  }

  @Test
  void anUploadReadsAheadOfFinishedChunksByAtMostItsParallelism() throws Exception {
    int chunks = 8;
    long size = (long) chunks * C;
    long[] worst = new long[1];
    InputStream generated = new InputStream() {
      final Random random = new Random(56);
      long produced;

      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (produced == size) {
          return -1;
        }
        long done = files.counters().chunkBytesUploaded() - base;
        worst[0] = Math.max(worst[0], produced - done);
        int n = (int) Math.min(len, size - produced);
        byte[] r = new byte[n];
        random.nextBytes(r);
        System.arraycopy(r, 0, b, off, n);
        produced += n;
        return n;
      }

      final long base = files.counters().chunkBytesUploaded();
    };
    Cap cap = files.upload(generated).get();
    assertThat(ChunkedFiles.sizeOf(cap)).isEqualTo(size);
    // 3 uploads in flight, one more chunk finished but not yet counted at most.
    assertThat(worst[0]).isLessThanOrEqualTo(4L * C);
    // Read back through a stream with a small buffer, compared with the same generator.
    Random again = new Random(56);
    try (InputStream in = files.open(cap, 0, size)) {
      byte[] buffer = new byte[1000];
      long total = 0;
      int n;
      while ((n = in.read(buffer)) > 0) {
        byte[] expected = new byte[n];
        again.nextBytes(expected);
        assertThat(Arrays.copyOf(buffer, n)).isEqualTo(expected);
        total += n;
      }
      assertThat(total).isEqualTo(size);
    }
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> files.read(new ImmutableReadCap(new byte[32], new byte[32], 3, 10,
        100).verifier(), 0, 1).get()).hasCauseInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> files.open(new LiteralCap(new byte[3]), -1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FileEdit(Optional.empty(), 0, 10,
        List.of(new FileEdit.Range(5, 3), new FileEdit.Range(6, 1)), (o, d) -> { }))
        .hasMessageContaining("sorted, disjoint");
    assertThatThrownBy(() -> files.write(new FileEdit(Optional.of(new LiteralCap(new byte[3])),
        4, 4, List.of(), (o, d) -> { })).get())
        .hasCauseInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("base length 4 exceeds");
    assertThatThrownBy(() -> files.write(new FileEdit(Optional.empty(), 0, 10,
        List.of(new FileEdit.Range(0, 10)), (o, d) -> d.put(new byte[d.remaining() - 1]))).get())
        .hasCauseInstanceOf(IOException.class).hasMessageContaining("unread");
  }

  @Test
  void aChunkOfZerosUpToTheLiteralSizeIsALiteralAndOneByteMoreAHole() throws Exception {
    for (int tail : new int[] {LiteralCap.MAX_SIZE, LiteralCap.MAX_SIZE + 1}) {
      byte[] data = Arrays.copyOf(random(C, 57), C + tail);
      ChunkedFiles.Counters before = files.counters();
      Cap cap = files.write(FileEdit.newFile(data.length, sourceOf(data))).get();
      ChunkedFiles.Counters after = files.counters();
      assertThat(readAll(cap)).isEqualTo(data);
      ChunkRef last = chunks(cap).get(1);
      if (tail == LiteralCap.MAX_SIZE) {
        assertThat(last).isEqualTo(new ChunkRef.Literal(new LiteralCap(new byte[tail])));
        assertThat(after.holesWritten() - before.holesWritten()).isZero();
      } else {
        assertThat(last).isEqualTo(new ChunkRef.Hole(tail));
        assertThat(after.holesWritten() - before.holesWritten()).isEqualTo(1);
      }
    }
  }

  @Test
  void readsStartingPastTheEndAreEmptyForEveryKindOfFile() throws Exception {
    byte[] data = random(2 * C + 3, 58);
    Cap chunked = upload(data);
    Cap one = upload(Arrays.copyOf(data, 1000));
    Cap literal = upload(Arrays.copyOf(data, 10));
    assertThat(chunked).isInstanceOf(ChunkedReadCap.class);
    assertThat(one).isInstanceOf(ImmutableReadCap.class);
    assertThat(literal).isInstanceOf(LiteralCap.class);
    for (Cap cap : List.of(chunked, one, literal)) {
      long size = ChunkedFiles.sizeOf(cap);
      assertThat(files.read(cap, size + 5, 10).get()).as("%s", cap).isEmpty();
      assertThat(files.read(cap, size - 2, 10).get()).as("%s", cap)
          .isEqualTo(Arrays.copyOfRange(data, (int) size - 2, (int) size));
      assertThat(files.read(cap, 1, 3).get()).as("%s", cap)
          .isEqualTo(Arrays.copyOfRange(data, 1, 4));
      try (InputStream in = files.open(cap, 2, Long.MAX_VALUE)) {
        assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 2, (int) size));
      }
    }
    assertThatThrownBy(() -> files.open(literal, 0, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 and -1");
  }

  @Test
  void onlyFileCapsHaveASize() {
    assertThatThrownBy(() -> ChunkedFiles.sizeOf(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("null");
    assertThatThrownBy(() -> ChunkedFiles.sizeOf(
        org.cairnfs.caps.mutable.MutableKeys.generate(new java.security.SecureRandom())
            .writeCap().readOnly()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("MutableReadCap");
  }

  @Test
  void aShortLastChunkStartingAtTheValidLengthIsAHoleWithoutBeingMade() throws Exception {
    byte[] data = random(2 * C + 100, 62);
    Cap base = upload(data);
    ChunkedFiles.Counters before = files.counters();
    Cap cap = files.write(new FileEdit(Optional.of(base), 2 * C, 2 * C + 20, List.of(),
        (o, d) -> { throw new IOException("no dirty bytes"); })).get();
    assertThat(chunks(cap)).containsExactly(chunks(base).get(0), chunks(base).get(1),
        new ChunkRef.Hole(20));
    assertThat(files.counters().chunksUploaded()).isEqualTo(before.chunksUploaded());
    assertThat(readAll(cap)).isEqualTo(Arrays.copyOf(Arrays.copyOf(data, 2 * C), 2 * C + 20));
  }

  @Test
  void aChunkTheDirtyRangesCoverIsMadeWithoutReadingTheBase() throws Exception {
    byte[] data = random(3 * C, 63);
    Cap base = upload(data);
    ImmutableReadCap middle = ((ChunkRef.Stored) chunks(base).get(1)).cap();
    for (TestServer s : grid.servers()) {
      for (int share : s.shares(middle.index())) {
        Files.delete(s.sharePath(middle.index(), share));
      }
    }
    byte[] next = data.clone();
    System.arraycopy(random(C, 64), 0, next, C, C);
    // two ranges that meet, covering chunk 1 exactly: its old bytes are never needed
    Cap cap = files.write(new FileEdit(Optional.of(base), 3 * C, 3 * C,
        List.of(new FileEdit.Range(C, 100), new FileEdit.Range(C + 100, C - 100)),
        sourceOf(next))).get();
    assertThat(readAll(cap)).isEqualTo(next);
  }

  @Test
  void aSourceThatLeavesBytesUnreadIsNamedWithTheOffset() {
    assertThatThrownBy(() -> files.write(new FileEdit(Optional.empty(), 0, 10,
        List.of(new FileEdit.Range(0, 10)), (o, d) -> d.put(new byte[d.remaining() - 1]))).get())
        .hasCauseInstanceOf(IOException.class)
        .hasMessageEndingWith("source left 1 bytes unread at 9");
  }

  /**
   * A source failing with a runtime exception (a bug of the caller's, not an I/O failure) fails
   * the write with that same exception, not one dressed as an {@code IOException}.
   */
  @Test
  void aSourceThrowingARuntimeExceptionFailsTheWriteWithItUnwrapped() {
    IllegalStateException broke = new IllegalStateException("the source broke");
    assertThatThrownBy(() -> files.write(new FileEdit(Optional.empty(), 0, 10,
        List.of(new FileEdit.Range(0, 10)), (o, d) -> {
          throw broke;
        })).get())
        .cause().isSameAs(broke);
  }

  /**
   * A write whose chunk 0 fails while chunk 1 is still being made answers only once chunk 1 has
   * ended: it leaves no work behind. Chunk 1 waits (at most 300 ms) for the test to have seen the
   * failure, so a write that answered without waiting is seen with chunk 1 still running; the
   * pass does not depend on the machine's speed.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aFailedWriteWaitsForItsOtherChunksFirst(boolean patch) throws Exception {
    byte[] data = random(3 * C, 65);
    Optional<Cap> base = patch ? Optional.of(upload(data)) : Optional.empty();
    java.util.concurrent.CountDownLatch secondStarted = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch failureSeen = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean secondEnded =
        new java.util.concurrent.atomic.AtomicBoolean();
    FileEdit.Source source = (offset, dst) -> {
      try {
        if (offset < C) {
          secondStarted.await(30, java.util.concurrent.TimeUnit.SECONDS);
          throw new IOException("chunk 0 failed");
        }
        secondStarted.countDown();
        failureSeen.await(300, java.util.concurrent.TimeUnit.MILLISECONDS);
        dst.put(data, (int) offset, dst.remaining());
        secondEnded.set(true);
      } catch (InterruptedException e) {
        throw new java.io.InterruptedIOException();
      }
    };
    List<FileEdit.Range> dirty = List.of(new FileEdit.Range(0, 2 * C));
    var written = files.write(new FileEdit(base, patch ? 3 * C : 0, 3 * C, dirty, source));
    assertThatThrownBy(() -> written.get(30, java.util.concurrent.TimeUnit.SECONDS))
        .hasRootCauseMessage("chunk 0 failed");
    assertThat(secondEnded).as("chunk 1 ended before the write answered").isTrue();
    failureSeen.countDown();
  }

  /**
   * With one upload at a time, chunk 1 is not begun while chunk 0 is being made. Chunk 0 waits
   * (at most 300 ms) for chunk 1 to begin, which only a write exceeding its parallelism does.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aWriteMakesNoMoreChunksAtOnceThanItsParallelism(boolean patch) throws Exception {
    ChunkedFiles one = ChunkedFiles.create(client, FilesConfig.builder().chunkSize(C)
        .parallelUploads(1).chunkBudget(4).build());
    byte[] data = random(3 * C, 66);
    Optional<Cap> base = patch ? Optional.of(upload(data)) : Optional.empty();
    java.util.concurrent.CountDownLatch secondStarted = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean overlapped =
        new java.util.concurrent.atomic.AtomicBoolean();
    FileEdit.Source source = (offset, dst) -> {
      if (offset < C) {
        try {
          overlapped.set(secondStarted.await(300, java.util.concurrent.TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
          throw new java.io.InterruptedIOException();
        }
      } else {
        secondStarted.countDown();
      }
      dst.put(data, (int) offset, dst.remaining());
    };
    Cap cap = one.write(new FileEdit(base, patch ? 3 * C : 0, 3 * C,
        List.of(new FileEdit.Range(0, 2 * C)), source)).get(30,
        java.util.concurrent.TimeUnit.SECONDS);
    assertThat(overlapped).as("chunk 1 began while chunk 0 was being made").isFalse();
    assertThat(readAll(cap)).isEqualTo(patch ? data : Arrays.copyOf(Arrays.copyOf(data, 2 * C),
        3 * C));
  }

  /**
   * Remaking a middle chunk reads only that chunk of the base, not the chunks after it: it costs
   * as many share listings (one per chunk opened) as remaking the last chunk, where nothing
   * follows.
   */
  @Test
  void aRemadeChunkReadsOnlyItsOwnPartOfTheBase() throws Exception {
    byte[] data = random(3 * C, 67);
    Cap base = upload(data);
    long[] listings = new long[2];
    for (int chunk = 1; chunk <= 2; chunk++) {
      byte[] next = data.clone();
      next[chunk * C + 7] ^= 1;
      long before = listings();
      Cap cap = files.write(new FileEdit(Optional.of(base), 3 * C, 3 * C,
          List.of(new FileEdit.Range(chunk * C + 7, 1)), sourceOf(next))).get();
      listings[chunk - 1] = listings() - before;
      assertThat(readAll(cap)).isEqualTo(next);
    }
    assertThat(listings[0]).isPositive().isEqualTo(listings[1]);
  }

  /**
   * A stream keeps exactly {@code parallelDownloads} chunks fetched ahead of the chunk being
   * read: with one, reading the first byte of a four-chunk file has opened chunks 0 and 1, and
   * nothing more follows (300 ms are given for a third to show; only a stream fetching further
   * ahead opens one). Opening a chunk costs one share listing round, counted from a one-chunk
   * read through the same reader, whose node cache is warm.
   */
  @Test
  void aStreamFetchesAsManyChunksAheadAsItsParallelismAndNoMore() throws Exception {
    byte[] data = random(4 * C, 75);
    Cap cap = upload(data);
    ChunkedFiles one = ChunkedFiles.create(client, FilesConfig.builder().chunkSize(C)
        .parallelDownloads(1).build());
    assertThat(one.read(cap, 0, 1).get()).containsExactly(data[0]); // warms the node cache
    long before = listings();
    assertThat(one.read(cap, 3 * C, 1).get()).containsExactly(data[3 * C]);
    long perChunk = listings() - before;
    assertThat(perChunk).isPositive();
    before = listings();
    try (InputStream in = one.open(cap, 0, 4 * C)) {
      assertThat(in.read()).isEqualTo(data[0] & 0xff);
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (listings() - before < 2 * perChunk && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(300);
      assertThat(listings() - before).as("chunks opened, in listings").isEqualTo(2 * perChunk);
    }
  }

  /**
   * An upload with one chunk in flight at a time reads no further than that chunk while it is
   * uploading: one server holds every write, so chunk 0 stays in flight, and 300 ms later the
   * stream has given exactly one chunk (only an upload exceeding its parallelism reads on).
   */
  @Test
  void anUploadReadsNoFurtherThanItsParallelismWhileItsChunksAreInFlight() throws Exception {
    ChunkedFiles one = ChunkedFiles.create(client, FilesConfig.builder().chunkSize(C)
        .parallelUploads(1).build());
    byte[] data = random(3 * C, 78);
    java.util.concurrent.atomic.AtomicLong produced = new java.util.concurrent.atomic.AtomicLong();
    InputStream counted = new java.io.FilterInputStream(new java.io.ByteArrayInputStream(data)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          produced.addAndGet(n);
        }
        return n;
      }
    };
    TestServer stuck = grid.server(1);
    java.util.concurrent.CompletableFuture<Cap> up;
    stuck.faults().hang(true);
    try {
      up = one.upload(counted);
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (produced.get() < C && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(300);
      assertThat(produced.get()).as("bytes read from the stream").isEqualTo(C);
    } finally {
      stuck.faults().hang(false);
      stuck.faults().release();
    }
    assertThat(readAll(up.get(60, java.util.concurrent.TimeUnit.SECONDS))).isEqualTo(data);
  }

  static long listings() {
    return grid.servers().stream().mapToLong(s -> s.faults().listings()).sum();
  }

  @Test
  void aStreamReadsByteByByteAcrossPiecesAndChunksAndRefusesReadsAfterClose() throws Exception {
    byte[] data = random(2 * C + 5, 68);
    data[C - 1] = (byte) 0xff;
    Cap cap = upload(data);
    InputStream in = files.open(cap, C - 2, 8);
    assertThat(in.read(new byte[4], 0, 0)).isZero();
    for (int i = 0; i < 8; i++) {
      assertThat(in.read()).as("byte %d", C - 2 + i).isEqualTo(data[C - 2 + i] & 0xff);
    }
    assertThat(in.read()).isEqualTo(-1);
    assertThat(in.read(new byte[4], 0, 4)).isEqualTo(-1);
    in.close();
    assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("stream closed");
    // a hole is read in pieces of at most ZEROS bytes
    int big = 2 * ChunkStream.ZEROS + 100;
    ChunkedFiles wide = ChunkedFiles.create(client, FilesConfig.builder().chunkSize(big).build());
    Cap holes = wide.write(new FileEdit(Optional.empty(), 0, 2L * big, List.of(),
        (o, d) -> { throw new IOException("unused"); })).get();
    try (InputStream z = wide.open(holes, 0, Long.MAX_VALUE)) {
      byte[] buffer = new byte[big];
      assertThat(z.read(buffer)).isEqualTo(ChunkStream.ZEROS);
      assertThat(z.read(buffer)).isEqualTo(ChunkStream.ZEROS);
      assertThat(z.read(buffer)).isEqualTo(100);
      assertThat(z.read(buffer)).isEqualTo(ChunkStream.ZEROS);
      assertThat(buffer).containsOnly(0);
    }
  }

  /** The source is asked only for bytes of dirty ranges, never for an empty piece past one. */
  @Test
  void theSourceIsAskedOnlyForTheDirtyBytesOfEachChunk() throws Exception {
    byte[] data = random(C, 69);
    List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    Cap cap = files.write(new FileEdit(Optional.empty(), 0, 3 * C,
        List.of(new FileEdit.Range(0, C)), (offset, dst) -> {
          asked.add(offset + "+" + dst.remaining());
          dst.put(data, (int) offset, dst.remaining());
        })).get();
    assertThat(asked).containsExactly("0+" + C);
    assertThat(chunks(cap).subList(1, 3)).containsOnly(new ChunkRef.Hole(C));
    assertThat(readAll(cap)).isEqualTo(Arrays.copyOf(data, 3 * C));
  }

  /** Share bytes count the chunks' and the manifest nodes' shares, added. */
  @Test
  void shareBytesSentCountChunksAndNodes() throws Exception {
    long before = files.counters().shareBytesSent();
    upload(random(C, 71));
    long oneChunk = files.counters().shareBytesSent() - before;
    assertThat(oneChunk).isPositive();
    before = files.counters().shareBytesSent();
    ChunkedFiles.Counters start = files.counters();
    Cap two = upload(random(2 * C, 72));
    assertThat(two).isInstanceOf(ChunkedReadCap.class);
    assertThat(files.counters().nodesWritten() - start.nodesWritten()).isEqualTo(1);
    // two chunks of the same length as the one above, and the root node on top
    assertThat(files.counters().shareBytesSent() - before).isGreaterThan(2 * oneChunk);
  }

  /** A node read once is kept: a second range read of the file opens only its chunk. */
  @Test
  void manifestNodesReadOnceAreCached() throws Exception {
    byte[] data = random(3 * C, 73);
    Cap cap = upload(data);
    ChunkedFiles reader = ChunkedFiles.create(client, FilesConfig.builder().chunkSize(C).build());
    long before = listings();
    assertThat(reader.read(cap, C + 1, 10).get()).isEqualTo(Arrays.copyOfRange(data, C + 1, C + 11));
    long first = listings() - before;
    before = listings();
    assertThat(reader.read(cap, C + 1, 10).get()).isEqualTo(Arrays.copyOfRange(data, C + 1, C + 11));
    long second = listings() - before;
    assertThat(second).isPositive().isLessThan(first);
  }

  /**
   * A stream that fails while its first chunk is still uploading (one server holds every write)
   * fails the upload only once that chunk has ended: 300 ms later it has not answered yet.
   */
  @Test
  void aFailedUploadAnswersOnlyAfterItsChunkInFlightEnded() throws Exception {
    InputStream failing = new java.io.SequenceInputStream(
        new java.io.ByteArrayInputStream(random(C, 74)), new InputStream() {
          @Override
          public int read() throws IOException {
            throw new IOException("the stream broke");
          }
        });
    TestServer stuck = grid.server(0);
    java.util.concurrent.CompletableFuture<Cap> up;
    stuck.faults().hang(true);
    try {
      up = files.upload(failing);
      assertThatThrownBy(() -> up.get(300, java.util.concurrent.TimeUnit.MILLISECONDS))
          .isInstanceOf(java.util.concurrent.TimeoutException.class);
    } finally {
      stuck.faults().hang(false);
      stuck.faults().release();
    }
    assertThatThrownBy(() -> up.get(30, java.util.concurrent.TimeUnit.SECONDS))
        .hasRootCauseMessage("the stream broke");
  }

}
