package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.identity.NodeId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Upload and read back through ten real servers, 3-of-10, 128 KiB segments. */
class ImmutableRoundTripTest {
  static final int SEGMENT = 128 * 1024;
  @TempDir static Path dir;
  static TestGrid grid;
  static GridClient client;

  @BeforeAll
  static void start() throws Exception {
    grid = new TestGrid(dir, 10);
    client = grid.client(GridConfig.defaults());
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

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 55})
  void tinyFilesAreLiteralCapsAndTouchNoServer(int size) throws Exception {
    byte[] data = random(size, size);
    int writesBefore = totalWrites();
    UploadResult r = client.upload(PlaintextSource.of(data)).get();
    assertThat(r.cap()).isEqualTo(new LiteralCap(data));
    assertThat(r.index()).isEmpty();
    assertThat(totalWrites()).isEqualTo(writesBefore);
  }

  @ParameterizedTest
  @ValueSource(ints = {56, SEGMENT - 1, SEGMENT, SEGMENT + 1, 5 * SEGMENT + 7, 3 << 20})
  void roundTripsThroughTenServersOneShareEach(int size) throws Exception {
    byte[] data = random(size, size);
    UploadResult r = client.upload(PlaintextSource.of(data)).get();
    ImmutableReadCap cap = (ImmutableReadCap) r.cap();
    assertThat(cap.size()).isEqualTo(size);
    assertThat(r.happiness()).isEqualTo(10);
    assertThat(r.placement()).hasSize(10);
    Set<NodeId> distinct = new HashSet<>();
    r.placement().values().forEach(distinct::addAll);
    assertThat(distinct).hasSize(10);
    for (TestServer s : grid.servers()) {
      assertThat(s.shares(cap.index())).as("shares on %s", s).hasSize(1);
      assertThat(s.incomingFiles()).isZero();
    }
    try (ImmutableFile file = client.open(cap)) {
      assertThat(file.read(0, size).get()).isEqualTo(data);
      try (InputStream in = file.openStream()) {
        assertThat(in.readAllBytes()).isEqualTo(data);
      }
    }
  }

  @Test
  void rangeReadsAtSegmentEdgesFetchOnlyWhatTheyNeed() throws Exception {
    int size = 6 * SEGMENT + 1000;
    byte[] data = random(size, 99);
    ImmutableReadCap cap = (ImmutableReadCap) client.upload(PlaintextSource.of(data)).get().cap();
    try (ImmutableFile file = client.open(cap)) {
      long[][] ranges = {{0, 1}, {SEGMENT - 1, 2}, {SEGMENT, SEGMENT}, {SEGMENT - 1, SEGMENT + 2},
          {3L * SEGMENT - 5, 10}, {size - 1, 1}, {size - 1000, 5000}, {5L * SEGMENT, SEGMENT},
          {size, 10}, {17, 0}};
      for (long[] range : ranges) {
        int length = (int) range[1];
        byte[] expected = Arrays.copyOfRange(data, (int) Math.min(size, range[0]),
            (int) Math.min(size, range[0] + length));
        assertThat(file.read(range[0], length).get())
            .as("range %d+%d", range[0], length).isEqualTo(expected);
      }
      try (InputStream in = file.openStream(2L * SEGMENT + 3, SEGMENT)) {
        assertThat(in.readAllBytes())
            .isEqualTo(Arrays.copyOfRange(data, 2 * SEGMENT + 3, 3 * SEGMENT + 3));
      }
    }
    // A one-byte read in the middle touches one segment: k block reads plus the fronts.
    int readsBefore = totalReads();
    try (ImmutableFile file = client.open(cap)) {
      assertThat(file.read(4L * SEGMENT + 10, 1).get()).containsExactly(data[4 * SEGMENT + 10]);
    }
    assertThat(totalReads() - readsBefore).isLessThanOrEqualTo(2 * cap.k());
  }

  @Test
  void readPiecesGivesTheRangeAsOnePiecePerSegmentNeverAWholeRangeArray() throws Exception {
    int size = 5 * SEGMENT + 77;
    byte[] data = random(size, 31);
    ImmutableReadCap cap = (ImmutableReadCap) client.upload(PlaintextSource.of(data)).get().cap();
    try (ImmutableFile file = client.open(cap)) {
      long[][] ranges = {{0, size}, {SEGMENT - 3, 2 * SEGMENT}, {3L * SEGMENT, SEGMENT},
          {size - 10, 100}, {size, 5}};
      for (long[] range : ranges) {
        int from = (int) Math.min(size, range[0]);
        int to = (int) Math.min(size, range[0] + range[1]);
        List<byte[]> pieces = file.readPieces(range[0], (int) range[1]).get();
        int firstSegment = from / SEGMENT;
        int lastSegment = to == from ? firstSegment - 1 : (to - 1) / SEGMENT;
        assertThat(pieces).as("range %d+%d", range[0], range[1])
            .hasSize(lastSegment - firstSegment + 1)
            .allSatisfy(p -> assertThat(p.length).isLessThanOrEqualTo(SEGMENT));
        java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
        for (byte[] p : pieces) {
          joined.write(p);
        }
        assertThat(joined.toByteArray()).isEqualTo(Arrays.copyOfRange(data, from, to));
      }
    }
  }

  @Test
  void aSecondUploadOfTheSameFileSendsNothingAndAddsNoShares() throws Exception {
    byte[] data = random(700_000, 5);
    UploadResult first = client.upload(PlaintextSource.of(data)).get();
    long received = totalBytesReceived();
    UploadResult second = client.upload(PlaintextSource.of(data)).get();
    assertThat(second.cap()).isEqualTo(first.cap());
    assertThat(second.sharesUploaded()).isZero();
    assertThat(second.sharesAlreadyHeld()).isEqualTo(10);
    assertThat(second.happiness()).isEqualTo(10);
    assertThat(totalBytesReceived()).isEqualTo(received);
  }

  @Test
  void concurrentUploadsOfTheSameFileStoreItOnce() throws Exception {
    byte[] data = random(900_000, 7);
    long received = totalBytesReceived();
    var first = client.upload(PlaintextSource.of(data));
    var second = client.upload(PlaintextSource.of(data));
    UploadResult a = first.get();
    UploadResult b = second.get();
    assertThat(b.cap()).isEqualTo(a.cap());
    assertThat(a.happiness()).isEqualTo(10);
    assertThat(b.happiness()).isEqualTo(10);
    assertThat(a.sharesUploaded() + b.sharesUploaded()).isEqualTo(10);
    long shareLength = org.cairnfs.caps.immutable.ShareLayout
        .of(client.config().params(), data.length).shareLength();
    assertThat(totalBytesReceived() - received).isEqualTo(10 * shareLength);
  }

  @Test
  void randomKeysGiveDifferentCapsForTheSameContent() throws Exception {
    byte[] data = random(100_000, 6);
    Cap a = client.upload(PlaintextSource.of(data), client.config().params(), false).get().cap();
    Cap b = client.upload(PlaintextSource.of(data), client.config().params(), false).get().cap();
    assertThat(a).isNotEqualTo(b);
    for (Cap cap : List.of(a, b)) {
      try (ImmutableFile file = client.open((ImmutableReadCap) cap)) {
        assertThat(file.read(0, data.length).get()).isEqualTo(data);
      }
    }
  }

  static int totalWrites() {
    return grid.servers().stream().mapToInt(s -> s.faults().writes()).sum();
  }

  static int totalReads() {
    return grid.servers().stream().mapToInt(s -> s.faults().reads()).sum();
  }

  static long totalBytesReceived() {
    return grid.servers().stream().mapToLong(s -> s.faults().bytesReceived()).sum();
  }
}
