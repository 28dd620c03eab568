package org.cairnfs.fs.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.client.StorageClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One share read through {@link RemoteRange}: the bytes across window boundaries, the requests
 * each mode sends, and reads past the listed length or the server's answer.
 */
class RemoteRangeTest {
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  @TempDir Path dir;
  TestGrid grid;
  TestServer server;
  StorageClient storage;
  StorageIndex si;
  long length;
  byte[] share;

  @BeforeEach
  void upload() throws Exception {
    grid = new TestGrid(dir, 1);
    server = grid.server(0);
    GridClient client = grid.client(ImmutableHealthTest.FAST.toBuilder()
        .params(EncodingParams.builder().k(1).happy(1).n(1).build()).build());
    byte[] data = new byte[RemoteRange.BIG * 2 + 300_000];
    new Random(3).nextBytes(data);
    ImmutableReadCap cap = (ImmutableReadCap) client.upload(PlaintextSource.of(data)).get()
        .cap();
    si = cap.index();
    storage = client.servers().connect(server.nodeId()).get();
    length = storage.listShares(si).get().get(0).size();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (long at = 0; at < length; at += RemoteRange.BIG) {
      all.write(storage.readRange(si, 0, at, (int) Math.min(RemoteRange.BIG, length - at)).get());
    }
    share = all.toByteArray();
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  byte[] read(RemoteRange r, long offset, int len) throws Exception {
    byte[] out = new byte[len + 2];
    r.read(offset, out, 1, len);
    assertThat(out[0]).isZero();
    assertThat(out[len + 1]).isZero();
    return Arrays.copyOfRange(out, 1, len + 1);
  }

  @Test
  void readsAcrossWindowsReturnTheSharesBytes() throws Exception {
    assertThat(length).isGreaterThan(2L * RemoteRange.BIG);
    RemoteRange full = new RemoteRange(storage, si, 0, length, TIMEOUT, true);
    long at = RemoteRange.BIG - 1000;
    assertThat(read(full, at, 5000)).isEqualTo(Arrays.copyOfRange(share, (int) at,
        (int) at + 5000));
    at = 2L * RemoteRange.BIG + 10;
    assertThat(read(full, at, 100)).isEqualTo(Arrays.copyOfRange(share, (int) at,
        (int) at + 100));
    assertThat(read(full, length - 7, 7)).isEqualTo(Arrays.copyOfRange(share,
        (int) length - 7, (int) length));
    RemoteRange front = new RemoteRange(storage, si, 0, length, TIMEOUT, false);
    at = RemoteRange.SMALL * 3 - 5;
    assertThat(read(front, at, 40)).isEqualTo(Arrays.copyOfRange(share, (int) at,
        (int) at + 40));
  }

  /** A front read asks for one small window at a time, each once. */
  @Test
  void aFrontReadFetchesOnlySmallWindows() throws Exception {
    int before = server.faults().reads();
    RemoteRange front = new RemoteRange(storage, si, 0, length, TIMEOUT, false);
    read(front, 0, 100);
    assertThat(server.faults().reads() - before).isEqualTo(1);
    read(front, 200, 100); // same window: no request
    assertThat(server.faults().reads() - before).isEqualTo(1);
    read(front, RemoteRange.SMALL + 10, 100); // the next small window
    assertThat(server.faults().reads() - before).isEqualTo(2);
  }

  /** At most KEPT windows are held, the least recently used dropped first. */
  @Test
  void theLeastRecentlyUsedWindowIsDroppedBeyondKept() throws Exception {
    RemoteRange front = new RemoteRange(storage, si, 0, length, TIMEOUT, false);
    int before = server.faults().reads();
    for (int w = 0; w < RemoteRange.KEPT; w++) {
      read(front, (long) w * RemoteRange.SMALL, 10);
    }
    read(front, 0, 10); // still held
    assertThat(server.faults().reads() - before).isEqualTo(RemoteRange.KEPT);
    read(front, (long) RemoteRange.KEPT * RemoteRange.SMALL, 10); // drops window 1
    read(front, 0, 10);
    assertThat(server.faults().reads() - before).isEqualTo(RemoteRange.KEPT + 1);
    read(front, RemoteRange.SMALL, 10);
    assertThat(server.faults().reads() - before).isEqualTo(RemoteRange.KEPT + 2);
    assertThat(read(front, RemoteRange.SMALL, 10)).isEqualTo(Arrays.copyOfRange(share,
        RemoteRange.SMALL, RemoteRange.SMALL + 10));
  }

  /** A share shorter than listed ends where the server's answer ends. */
  @Test
  void aShareShorterThanListedEndsWhereItsLastWindowEnds() throws Exception {
    RemoteRange front = new RemoteRange(storage, si, 0, length + 5, TIMEOUT, false);
    assertThat(length % RemoteRange.SMALL).isLessThan(RemoteRange.SMALL - 5);
    assertThatThrownBy(() -> read(front, length + 1, 3)).isInstanceOf(EOFException.class)
        .hasMessage("share 0 ends at " + length);
  }

  @Test
  void aReadPastTheListedLengthFailsAtOnce() throws Exception {
    RemoteRange full = new RemoteRange(storage, si, 0, length, TIMEOUT, true);
    int before = server.faults().reads();
    assertThatThrownBy(() -> read(full, length - 10, 20)).isInstanceOf(EOFException.class)
        .hasMessage("share 0 is " + length + " bytes, read of 20 at " + (length - 10));
    assertThatThrownBy(() -> read(full, -1, 1)).isInstanceOf(EOFException.class);
    assertThat(server.faults().reads()).isEqualTo(before);
  }

  /** A server answering short ends the read with an EOF, never a loop. */
  @Test
  void aShortAnswerEndsTheRead() throws Exception {
    server.faults().cutFront(100);
    RemoteRange front = new RemoteRange(storage, si, 0, length, TIMEOUT, false);
    assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
        assertThatThrownBy(() -> read(front, 50, 100)).isInstanceOf(EOFException.class)
            .hasMessage("share 0 ends at 100"));
  }
}
