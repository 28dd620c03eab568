package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One {@link UploadSink} streaming share 3 to one real server on loopback: what reaches the
 * server, the window, a failed write, a server that stops acknowledging (the stall timeout
 * counted from the first send, not from when the sink was made).
 */
class UploadSinkTest {
  static final int CHUNK = 4096;
  static final int WINDOW = 2 * CHUNK;
  static final Duration STALL = Duration.ofSeconds(1);
  /** The share's size as allocated. */
  static final int SIZE = 5 * CHUNK + 100;

  @TempDir
  Path dir;
  TestGrid grid;
  TestServer server;
  StorageClient client;
  final StorageIndex si = StorageIndex.of(random(StorageIndex.LENGTH, 1));

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @BeforeEach
  void start() throws Exception {
    grid = new TestGrid(dir, 1);
    server = grid.server(0);
    client = StorageClient.connect(TestGrid.CLIENT_OPTIONS, NodeKey.generate(), "127.0.0.1",
        server.port(), server.nodeId()).get();
    client.allocate(si, random(32, 2), random(32, 3), SIZE, Set.of(3)).get();
  }

  @AfterEach
  void stop() {
    server.faults().hang(false);
    server.faults().release();
    if (client != null) {
      client.close();
    }
    grid.close();
  }

  /** A sink with a stall timeout no loaded machine reaches (the tests of a stall use STALL). */
  UploadSink sink() {
    return sink(Duration.ofMinutes(1));
  }

  UploadSink sink(Duration stall) {
    return new UploadSink(server.nodeId(), client, si, 3, CHUNK, WINDOW, stall);
  }

  @Test
  void everyByteReachesTheServerAndIsAcknowledgedOnlyAfterTheEncoderIsDone() throws Exception {
    UploadSink sink = sink();
    assertThat(sink.server()).isEqualTo(server.nodeId());
    assertThat(sink.share()).isEqualTo(3);
    byte[] data = random(SIZE, 4);
    for (int off = 0; off < data.length; off += 1000) {
      sink.write(off, data, off, Math.min(1000, data.length - off));
    }
    assertThatThrownBy(sink::awaitWritten).isInstanceOf(IllegalStateException.class)
        .hasMessage("share 3 is still being encoded");
    sink.close();
    sink.awaitWritten();
    assertThat(sink.failed()).isFalse();
    assertThat(sink.failure()).isNull();
    assertThat(sink.bytesSent()).isEqualTo(data.length);
    assertThat(server.faults().bytesReceived()).isEqualTo(data.length);
    client.closeShare(si, 3).get();
    assertThat(client.readRange(si, 3, 0, data.length).get()).isEqualTo(data);
  }

  @Test
  void aFailedLastWriteIsNeverReportedWritten() throws Exception {
    // the answer and its failure must arrive together: awaitWritten once saw nothing in flight
    // and no failure yet, and reported the share written (a race: tried 50 times)
    server.faults().failWrites(true);
    for (int i = 0; i < 50; i++) {
      UploadSink sink = sink();
      sink.write(0, random(CHUNK, i), 0, CHUNK);
      sink.close();
      assertThatThrownBy(sink::awaitWritten).as("try " + i).isInstanceOf(IOException.class)
          .hasMessageContaining("injected write failure");
    }
  }

  @Test
  void aFailedWriteFailsTheSinkDropsLaterWritesAndAbortsTheUpload() throws Exception {
    server.faults().failWrites(true);
    UploadSink sink = sink();
    sink.write(0, random(CHUNK, 5), 0, CHUNK);
    sink.close();
    assertThatThrownBy(sink::awaitWritten).isInstanceOf(IOException.class)
        .hasMessageContaining("injected write failure");
    IOException first = sink.failure();
    assertThat(sink.failed()).isTrue();
    long sent = sink.bytesSent();
    assertThat(sent).isEqualTo(CHUNK);
    sink.write(CHUNK, random(3 * CHUNK, 6), 0, 3 * CHUNK);
    sink.close();
    assertThat(sink.bytesSent()).as("nothing sent after the failure").isEqualTo(sent);
    sink.fail(new IOException("later"));
    assertThat(sink.failure()).as("the first cause wins").isSameAs(first);
    // the upload was aborted on the server: nothing of it stays in incoming
    for (int i = 0; i < 500 && server.incomingFiles() > 0; i++) {
      Thread.sleep(10);
    }
    assertThat(server.incomingFiles()).isZero();
  }

  /**
   * A write the server refuses fails the sink with the server's own answer, its type and its
   * message as they came (the upload names it as "share N failed: ..."), not wrapped again.
   */
  @Test
  void aWriteTheServerRefusesFailsTheSinkWithTheServersOwnAnswer() throws Exception {
    server.faults().failWrites(true);
    UploadSink sink = sink();
    sink.write(0, random(CHUNK, 11), 0, CHUNK);
    sink.close();
    assertThatThrownBy(sink::awaitWritten).isSameAs(sink.failure());
    assertThat(sink.failure()).isInstanceOf(org.cairnfs.protocol.client.RemoteException.class)
        .hasMessageEndingWith("injected write failure")
        .hasMessageNotContaining("writing share");
  }

  /**
   * A sink its writer fails (the encoder gave up) aborts its upload on the server at once: the
   * partial share does not wait there for the connection to close.
   */
  @Test
  void aSinkItsWriterFailsAbortsItsUploadOnTheServer() throws Exception {
    UploadSink sink = sink();
    sink.write(0, random(CHUNK, 12), 0, CHUNK);
    assertThat(server.incomingFiles()).isEqualTo(1);
    sink.fail(new IOException("the encoder gave up"));
    for (int i = 0; i < 500 && server.incomingFiles() > 0; i++) {
      Thread.sleep(10);
    }
    assertThat(server.incomingFiles()).isZero();
    assertThat(sink.failure()).hasMessage("the encoder gave up");
  }

  /**
   * A sink that gives up on a stalled server leaves its lock to other threads (the server's
   * answers need it, on the event loop) and aborts its upload there, so the partial share is
   * dropped once the server answers again. Ten seconds only bound a deadlock.
   */
  @Test
  void aStalledSinkLeavesItsLockAndAbortsItsUpload() throws Exception {
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      UploadSink sink = sink(STALL);
      Thread.sleep(STALL.toMillis() + 200); // the stall counts from the first send
      server.faults().hang(true);
      sink.write(0, random(CHUNK, 13), 0, CHUNK);
      sink.write(CHUNK, random(CHUNK, 14), 0, CHUNK);
      sink.write(2 * CHUNK, random(CHUNK, 15), 0, CHUNK); // waits for room, then fails
      assertThat(sink.failed()).isTrue();
      assertThat(other.submit(sink::bytesSent).get(10, TimeUnit.SECONDS)).isEqualTo(WINDOW);
      assertThat(server.incomingFiles()).isEqualTo(1);
      server.faults().hang(false);
      server.faults().release();
      for (int i = 0; i < 500 && server.incomingFiles() > 0; i++) {
        Thread.sleep(10);
      }
      assertThat(server.incomingFiles()).isZero();
    } finally {
      other.shutdownNow();
    }
  }

  /**
   * An interrupted writer stops waiting, for the answers or for room in the window, with an
   * {@code IOException} naming the share (thrown by awaitWritten; the sink's failure for a
   * write or a close's flush), and keeps its interrupt. The server hangs, so each wait is
   * certain.
   */
  @Test
  void anInterruptedWaitFailsNamingTheShareAndKeepsTheInterrupt() throws Exception {
    server.faults().hang(true);
    UploadSink waiting = sink();
    waiting.write(0, random(CHUNK, 16), 0, CHUNK);
    waiting.close();
    UploadSink sending = sink();
    sending.write(0, random(CHUNK, 17), 0, CHUNK);
    sending.write(CHUNK, random(CHUNK, 18), 0, CHUNK);
    try {
      Thread.currentThread().interrupt();
      assertThatThrownBy(waiting::awaitWritten)
          .isInstanceOf(IOException.class).hasMessage("interrupted while waiting for share 3")
          .hasCauseInstanceOf(InterruptedException.class);
      assertThat(Thread.interrupted()).as("interrupt kept by awaitWritten").isTrue();
      Thread.currentThread().interrupt();
      sending.write(2 * CHUNK, random(CHUNK, 19), 0, CHUNK); // waits for room in the window
      assertThat(Thread.interrupted()).as("interrupt kept by write").isTrue();
      assertThat(sending.failure()).hasMessage("interrupted while sending share 3")
          .hasCauseInstanceOf(InterruptedException.class);
      UploadSink closing = sink();
      closing.write(0, random(CHUNK, 20), 0, CHUNK);
      closing.write(CHUNK, random(CHUNK, 21), 0, CHUNK);
      closing.write(2 * CHUNK, random(100, 22), 0, 100); // buffered until the close
      assertThat(closing.failed()).isFalse();
      Thread.currentThread().interrupt();
      closing.close(); // its flush waits for room in the window
      assertThat(Thread.interrupted()).as("interrupt kept by close").isTrue();
      assertThat(closing.failure()).hasMessage("interrupted while sending share 3");
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void aFullWindowWaitsAndAServerAcknowledgingNothingFailsItAfterTheStall() throws Exception {
    UploadSink sink = sink(STALL);
    Thread.sleep(STALL.toMillis() + 200); // the stall counts from the first send, not from here
    server.faults().hang(true);
    long start = System.nanoTime();
    sink.write(0, random(CHUNK, 7), 0, CHUNK);
    sink.write(CHUNK, random(CHUNK, 8), 0, CHUNK);
    assertThat(sink.failed()).as("exactly a window in flight is no wait").isFalse();
    assertThat(sink.bytesSent()).isEqualTo(WINDOW);
    sink.write(2 * CHUNK, random(CHUNK, 9), 0, CHUNK); // waits for room, then fails the sink
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(STALL);
    assertThat(sink.failed()).isTrue();
    assertThat(sink.failure()).hasMessage("server " + server.nodeId().shortForm()
        + " acknowledged no write for 1 s with " + WINDOW + " bytes in flight");
    assertThat(sink.bytesSent()).isEqualTo(WINDOW);
    sink.close();
    assertThatThrownBy(sink::awaitWritten).isSameAs(sink.failure());
  }

  @Test
  void awaitWrittenFailsWhenNothingIsAcknowledgedForTheStall() throws Exception {
    UploadSink sink = sink(STALL);
    Thread.sleep(STALL.toMillis() + 200);
    server.faults().hang(true);
    long start = System.nanoTime();
    sink.write(0, random(100, 10), 0, 100);
    sink.close(); // sends the 100 bytes buffered
    assertThatThrownBy(sink::awaitWritten).isInstanceOf(IOException.class)
        .hasMessage("server " + server.nodeId().shortForm() + " acknowledged nothing for 1 s");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(STALL);
    assertThat(sink.bytesSent()).isEqualTo(100);
  }

  /**
   * The encoder's thread calls write, close, awaitWritten and the accessors; the answers come
   * on the connection's event loop and need the sink's lock. Each call must leave the lock
   * free (a ReentrantLock kept by the encoder's thread would be noticed only while it waits,
   * since a wait gives the lock up). Ten seconds only bound a deadlock, not a speed.
   */
  @Test
  void everyCallLeavesTheLockToOtherThreads() throws Exception {
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      UploadSink sink = sink();
      byte[] data = random(SIZE, 6);
      sink.write(0, data, 0, data.length);
      sink.close();
      // the answers, on the event loop, took the lock this thread used in send
      for (int i = 0; i < 1000 && server.faults().writes() < 1; i++) {
        Thread.sleep(10);
      }
      assertThat(other.submit(sink::bytesSent).get(10, TimeUnit.SECONDS)).isEqualTo(SIZE);
      sink.awaitWritten();
      assertThat(other.submit(sink::failed).get(10, TimeUnit.SECONDS)).isFalse();
      assertThat(sink.bytesSent()).isEqualTo(SIZE);
      assertThat(other.submit(sink::failed).get(10, TimeUnit.SECONDS)).isFalse();
      assertThat(sink.failure()).isNull();
      assertThat(other.submit(sink::failed).get(10, TimeUnit.SECONDS)).isFalse();
      sink.fail(new IOException("given up"));
      assertThat(other.submit(sink::failure).get(10, TimeUnit.SECONDS)).hasMessage("given up");
    } finally {
      other.shutdownNow();
    }
  }
}
