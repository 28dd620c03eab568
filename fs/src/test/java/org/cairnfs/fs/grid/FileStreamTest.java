package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import org.cairnfs.fs.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileStream}, the hand-off queue between the worker decoding segments and the reader,
 * over a file on two real servers (1-of-2 shares, 4 KiB segments, so a small file has many).
 * Its executor is the test's where the test needs to hold the worker back or own its thread.
 */
class FileStreamTest {
  static final int SEGMENT = TwoServerFile.SEGMENT;
  static final int SIZE = TwoServerFile.SIZE;
  static final Duration LIMIT = Duration.ofSeconds(20);
  @TempDir Path dir;
  TwoServerFile fx;

  @BeforeEach
  void upload() throws Exception {
    fx = new TwoServerFile(dir, 21);
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  byte[] slice(int from, int to) {
    return Arrays.copyOfRange(fx.data, from, to);
  }

  /** Tasks handed to it run only when the test says so. */
  static final class Held implements Executor {
    final List<Runnable> tasks = new ArrayList<>();

    @Override
    public synchronized void execute(Runnable task) {
      tasks.add(task);
    }

    synchronized List<Runnable> tasks() {
      return List.copyOf(tasks);
    }
  }

  @Test
  void readsItsRangeInPiecesOfAnySizeThenEndsForGood() throws Exception {
    assertTimeoutPreemptively(LIMIT, () -> {
      try (InputStream in = fx.file.openStream(5000, 20_000)) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[1000];
        for (int i = 0; i < 3; i++) {
          int b = in.read();
          assertThat(b).isBetween(0, 255);
          got.write(b);
        }
        assertThat(in.read(buf, 7, 0)).isZero();
        while (got.size() < 20_000) {
          int n = in.read(buf, 7, 333);
          assertThat(n).isBetween(1, 333);
          got.write(buf, 7, n);
        }
        assertThat(got.toByteArray()).isEqualTo(slice(5000, 25_000));
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.read(buf, 0, 10)).isEqualTo(-1);
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.read(buf, 0, 0)).isZero();
      }
    });
  }

  /**
   * {@code readNBytes(n)}, which hands over a whole segment without a copy when asked for
   * exactly the next one: right for every length, from an aligned and an unaligned start.
   */
  @Test
  void readNBytesGivesItsBytesForEveryLengthAndSegmentsWhole() throws Exception {
    assertTimeoutPreemptively(LIMIT, () -> {
      int[] lengths = {SEGMENT, SEGMENT, 10, SEGMENT - 10, SEGMENT, 2 * SEGMENT + 3, 0, SIZE};
      for (int start : new int[] {0, SEGMENT, 7}) {
        try (InputStream in = fx.file.openStream(start, SIZE)) {
          int at = start;
          for (int n : lengths) {
            byte[] got = in.readNBytes(n);
            int to = Math.min(SIZE, at + n);
            assertThat(got).as("%d bytes at %d", n, at).isEqualTo(slice(at, to));
            at = to;
          }
          assertThat(in.readNBytes(SEGMENT)).isEmpty();
          assertThatThrownBy(() -> in.readNBytes(-1))
              .isInstanceOf(IllegalArgumentException.class);
        }
      }
      try (InputStream in = fx.file.openStream(0, SIZE)) { // readAllBytes asks Integer.MAX_VALUE
        assertThat(in.readNBytes(10)).isEqualTo(slice(0, 10));
        assertThat(in.readAllBytes()).isEqualTo(slice(10, SIZE));
      }
    });
  }

  @Test
  void singleByteReadsGiveEveryByteUnsigned() throws Exception {
    assertTimeoutPreemptively(LIMIT, () -> {
      try (InputStream in = fx.file.openStream(SIZE - 600, 1000)) { // cut at the file's end
        for (int i = SIZE - 600; i < SIZE; i++) {
          assertThat(in.read()).as("byte %d", i).isEqualTo(fx.data[i] & 0xff);
        }
        assertThat(in.read()).isEqualTo(-1);
      }
    });
  }

  @Test
  void anEmptyRangeEndsAtOnceAndStartsNoWorker() throws Exception {
    Held held = new Held();
    FileStream empty = new FileStream(fx.file, 100, 100, held);
    assertThat(empty.read()).isEqualTo(-1);
    assertThat(new FileStream(fx.file, 100, 99, held).read(new byte[4], 0, 4)).isEqualTo(-1);
    assertThat(held.tasks()).isEmpty();
    FileStream one = new FileStream(fx.file, 100, 101, held);
    assertThat(held.tasks()).hasSize(1);
    held.tasks().get(0).run();
    assertThat(one.read()).isEqualTo(fx.data[100] & 0xff);
    assertThat(one.read()).isEqualTo(-1);
  }

  @Test
  void aClosedStreamRefusesReadsAndItsWorkerStops() throws Exception {
    Held held = new Held();
    FileStream in = new FileStream(fx.file, 0, SIZE, held);
    in.close();
    assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("stream closed");
    assertTimeoutPreemptively(LIMIT, () -> held.tasks().get(0).run()); // queues nothing
    assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("stream closed");
  }

  @Test
  void aFileThatCannotBeReadFailsTheStreamOnceThenItHasEnded() throws Exception {
    fx.grid.servers().forEach(TestServer::kill);
    assertTimeoutPreemptively(LIMIT, () -> {
      try (ImmutableFile gone = fx.client.open(fx.cap); InputStream in = gone.openStream()) {
        assertThatThrownBy(in::read).isInstanceOf(NotEnoughSharesException.class);
        assertThat(in.read()).isEqualTo(-1);
      }
    });
  }

  @Test
  void aWorkerFailureOtherThanIoIsHandedOverAsAnIoException() throws Exception {
    Held held = new Held();
    // past the file's end, which ImmutableFile.openStream would have cut
    FileStream in = new FileStream(fx.file, SIZE + SEGMENT, SIZE + 2 * SEGMENT, held);
    held.tasks().get(0).run();
    assertThatThrownBy(in::read).isInstanceOf(IOException.class)
        .cause().isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(in.read()).isEqualTo(-1);
  }

  @Test
  void anInterruptedReaderGetsAnInterruptedIoExceptionAndKeepsTheFlag() throws Exception {
    Held held = new Held();
    FileStream in = new FileStream(fx.file, 0, SIZE, held);
    Thread.currentThread().interrupt();
    assertThatThrownBy(in::read).isInstanceOf(InterruptedIOException.class);
    assertThat(Thread.interrupted()).as("interrupt flag kept").isTrue();
    Thread worker = new Thread(held.tasks().get(0));
    worker.start();
    assertTimeoutPreemptively(LIMIT, () -> {
      assertThat(in.readAllBytes()).isEqualTo(fx.data); // the stream still reads
    });
    worker.join(LIMIT.toMillis());
    assertThat(worker.isAlive()).isFalse();
  }

  /**
   * Closing the client stops its workers (interrupts them), a stream's worker among them: the
   * reader must then fail, not wait forever for segments nobody will queue.
   */
  @Test
  void aStreamFailsWhenItsClientIsClosedInsteadOfHanging() throws Exception {
    InputStream in = fx.file.openStream();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    got.write(in.read());
    fx.client.close();
    assertTimeoutPreemptively(LIMIT, () -> {
      byte[] buf = new byte[1000];
      assertThatThrownBy(() -> {
        for (int n; (n = in.read(buf)) >= 0; ) {
          got.write(buf, 0, n);
        }
      }).isInstanceOf(IOException.class);
    });
    assertThat(got.size()).isLessThan(SIZE);
    assertThat(got.toByteArray()).isEqualTo(slice(0, got.size()));
  }

  @Test
  void aWorkerInterruptedWhileTheQueueIsFullHandsOverTheFailureAndKeepsTheFlag()
      throws Exception {
    Thread[] worker = new Thread[1];
    Boolean[] flagAfter = new Boolean[1];
    FileStream in = new FileStream(fx.file, 0, SIZE, task -> {
      worker[0] = new Thread(() -> {
        task.run();
        flagAfter[0] = Thread.currentThread().isInterrupted();
      });
      worker[0].start();
    });
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (!inFileStreamOffer(worker[0]) && System.nanoTime() < deadline) {
      Thread.sleep(5); // ten segments, three fit: it ends up waiting to queue the fourth
    }
    worker[0].interrupt();
    worker[0].join(LIMIT.toMillis());
    assertThat(worker[0].isAlive()).isFalse();
    assertThat(flagAfter[0]).as("interrupt flag kept").isTrue();
    assertTimeoutPreemptively(LIMIT, () -> {
      assertThatThrownBy(in::read).isInstanceOf(InterruptedIOException.class);
      assertThat(in.read()).isEqualTo(-1);
    });
  }

  @Test
  void aWorkerInterruptedWhileHandingOverAFailureHandsOverThatFailure() throws Exception {
    ImmutableFile closed = fx.client.open(fx.cap);
    closed.close();
    FileStream in = new FileStream(closed, 0, SIZE, task -> new Thread(() -> {
      Thread.currentThread().interrupt(); // so its offer of the failure is interrupted
      task.run();
    }).start());
    assertTimeoutPreemptively(LIMIT, () -> {
      assertThatThrownBy(in::read).isInstanceOf(IOException.class)
          .isNotInstanceOf(InterruptedIOException.class).hasMessageContaining("was closed");
    });
  }

  static boolean inFileStreamOffer(Thread t) {
    return Arrays.stream(t.getStackTrace()).anyMatch(f ->
        f.getClassName().equals(FileStream.class.getName()) && f.getMethodName().equals("offer"));
  }
}
