package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.IntegrityException;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.identity.NodeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads with servers gone, stuck or dying, and shares corrupted, truncated or deleted on disk. */
class DownloadFaultsTest {
  static final int SIZE = 5 * 128 * 1024 + 12_345;
  /**
   * Time-outs that a loaded machine does not reach: a good share that answers late must not be
   * counted bad by tests that name the bad ones.
   */
  static final GridConfig PATIENT = GridConfig.builder().stallTimeout(Duration.ofSeconds(10))
      .readTimeout(Duration.ofSeconds(10)).readAhead(128 << 10).build();
  /** A 1 s read time-out, for the test of servers that never answer. */
  static final GridConfig FAST = GridConfig.builder().stallTimeout(Duration.ofSeconds(2))
      .readTimeout(Duration.ofSeconds(1)).readAhead(128 << 10).build();
  @TempDir Path dir;
  TestGrid grid;
  GridClient client;
  byte[] data;
  ImmutableReadCap cap;
  StorageIndex si;
  Map<Integer, List<NodeId>> placement;

  @BeforeEach
  void upload() throws Exception {
    grid = new TestGrid(dir, 10);
    client = grid.client(PATIENT);
    data = new byte[SIZE];
    new Random(11).nextBytes(data);
    UploadResult r = client.upload(PlaintextSource.of(data)).get();
    cap = (ImmutableReadCap) r.cap();
    si = cap.index();
    placement = r.placement();
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  TestServer holder(int share) {
    return grid.byId(placement.get(share).get(0));
  }

  byte[] readAll() throws Exception {
    try (ImmutableFile file = client.open(cap)) {
      return file.read(0, SIZE).get();
    }
  }

  @Test
  void readsWithServersKilledDownToKAndFailsLoudlyBelow() throws Exception {
    for (int share : List.of(0, 1, 2, 4, 5, 6, 8)) {
      holder(share).kill();
    }
    assertThat(readAll()).isEqualTo(data);
    try (ImmutableFile file = client.open(cap)) {
      assertThat(file.read(200_000, 70_000).get())
          .isEqualTo(Arrays.copyOfRange(data, 200_000, 270_000));
      try (InputStream in = file.openStream(1, SIZE)) {
        assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 1, SIZE));
      }
    }
    holder(9).kill();
    assertThatThrownBy(this::readAll).isInstanceOf(ExecutionException.class).cause()
        .isInstanceOfSatisfying(NotEnoughSharesException.class, e -> {
          assertThat(e.found()).containsExactlyInAnyOrder(3, 7);
          assertThat(e.getMessage()).contains("need 3", "10 known");
        });
  }

  @Test
  void corruptTruncatedAndDeletedSharesAreDroppedAndTheBytesStayRight() throws Exception {
    corrupt(holder(0).sharePath(si, 0), Files.size(holder(0).sharePath(si, 0)) - 10);
    corrupt(holder(1).sharePath(si, 1), 200); // in the hash trees
    truncate(holder(2).sharePath(si, 2), Files.size(holder(2).sharePath(si, 2)) / 2);
    Files.delete(holder(3).sharePath(si, 3));
    corrupt(holder(4).sharePath(si, 4), 70); // in the extension block
    // The good shares' servers answer the locate last, so every damaged share is tried first.
    for (int share = 5; share < 10; share++) {
      holder(share).faults().delayListing(400);
    }
    try (ImmutableFile file = client.open(cap)) {
      assertThat(file.read(0, SIZE).get()).isEqualTo(data);
      assertThat(file.badShares()).containsOnlyKeys(0, 1, 2, 3, 4);
      assertThat(file.badShares().get(2)).contains("truncated");
      assertThat(file.badShares().get(4)).contains("extension block");
    }
  }

  /**
   * After a repair a share number can live on two servers, one copy bad: a reader whose first
   * pick was the bad copy must read the number again from the other server, not give up.
   */
  @Test
  void aBadCopyIsReplacedByAnotherServersCopyOfTheSameShare() throws Exception {
    Path bad = holder(0).sharePath(si, 0);
    Files.copy(bad, holder(1).sharePath(si, 0));
    corrupt(bad, Files.size(bad) / 2);
    for (int share = 3; share < 10; share++) {
      holder(share).kill();
    }
    holder(1).faults().delayListing(400); // the bad copy's server answers first
    holder(2).faults().delayListing(400);
    assertThat(readAll()).isEqualTo(data);
  }

  @Test
  void tooMuchDamageFailsLoudlyNeverWithWrongBytes() throws Exception {
    for (int share = 0; share < 8; share++) {
      Path p = holder(share).sharePath(si, share);
      corrupt(p, Files.size(p) - 1 - share);
    }
    assertThatThrownBy(this::readAll).cause().isInstanceOf(IntegrityException.class)
        .hasMessageContaining("need 3 good shares");
  }

  @Test
  void stuckAndFailingServersAreLeftAfterTheReadTimeout() throws Exception {
    // Only shares 7, 8 and 9 can be read, and their servers answer the locate last, so the
    // reader tries every other share first: each must time out or fail, and be left.
    for (int share = 0; share < 5; share++) {
      holder(share).faults().hang(true);
    }
    for (int share = 7; share < 10; share++) {
      holder(share).faults().delayListing(400);
    }
    holder(5).faults().failReads(true);
    holder(6).faults().failReads(true);
    try (ImmutableFile file = grid.client(FAST).open(cap)) {
      long start = System.nanoTime();
      assertThat(file.read(0, SIZE).get()).isEqualTo(data);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
      assertThat(file.badShares()).containsOnlyKeys(0, 1, 2, 3, 4, 5, 6);
      assertThat(file.badShares().get(0)).contains("no answer within");
      assertThat(file.badShares().get(5)).contains("injected read failure");
    } finally {
      for (int share = 0; share < 5; share++) {
        holder(share).faults().release();
      }
    }
  }

  @Test
  void serversDyingMidStreamAreReplaced() throws Exception {
    byte[] big = new byte[4 << 20];
    new Random(12).nextBytes(big);
    UploadResult r = client.upload(PlaintextSource.of(big)).get();
    // Shares 7, 8 and 9 answer the locate slowly, so the stream starts on data shares 0, 1, 2.
    for (int share = 7; share < 10; share++) {
      grid.byId(r.placement().get(share).get(0)).faults().delayListing(400);
    }
    try (ImmutableFile file = client.open((ImmutableReadCap) r.cap());
        InputStream in = file.openStream()) {
      byte[] first = in.readNBytes(100_000);
      for (int share = 0; share < 7; share++) {
        grid.byId(r.placement().get(share).get(0)).kill();
      }
      byte[] rest = in.readAllBytes();
      byte[] all = new byte[first.length + rest.length];
      System.arraycopy(first, 0, all, 0, first.length);
      System.arraycopy(rest, 0, all, first.length, rest.length);
      assertThat(all).isEqualTo(big);
      // 0, 1, 2 died in use; 3 to 6 (dead too) were tried next; 7, 8, 9 finished the stream.
      assertThat(file.badShares()).containsOnlyKeys(0, 1, 2, 3, 4, 5, 6);
    }
  }

  static void corrupt(Path file, long at) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x5a);
    }
  }

  static void truncate(Path file, long length) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(length);
    }
  }
}
