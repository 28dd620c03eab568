package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** {@link Await}: a value, a failure as the IOException behind it, a time-out, an interrupt. */
class AwaitTest {
  @Test
  void aValueComesBackAsItIs() throws Exception {
    assertThat(Await.get(CompletableFuture.completedFuture("v"), Duration.ofSeconds(10), "x"))
        .isEqualTo("v");
  }

  @Test
  void aTimeOutCancelsTheFutureAndNamesWhatWasAwaited() {
    CompletableFuture<String> never = new CompletableFuture<>();
    assertThatThrownBy(() -> Await.get(never, Duration.ofMillis(30), "a read of share 3"))
        .isExactlyInstanceOf(Await.RequestTimedOutException.class)
        .hasMessage("a read of share 3 got no answer within 30 ms");
    assertThat(never).isCancelled();
  }

  /** Futures waited for one after another until one deadline: a late one names the whole wait. */
  @Test
  void untilADeadlinePassedAValueStillComesAndALateOneNamesTheWholeWait() throws Exception {
    long past = System.nanoTime() - 1_000_000;
    assertThat(Await.until(CompletableFuture.completedFuture("v"), past, Duration.ofSeconds(5),
        "connecting")).isEqualTo("v");
    CompletableFuture<String> never = new CompletableFuture<>();
    assertThatThrownBy(() -> Await.until(never, past, Duration.ofSeconds(5), "connecting"))
        .isExactlyInstanceOf(Await.RequestTimedOutException.class)
        .hasMessage("connecting got no answer within 5000 ms");
    assertThat(never).isCancelled();
  }

  @Test
  void aFailureComesOutAsTheIoExceptionBehindIt() {
    IOException io = new IOException("server gone");
    assertThatThrownBy(() -> Await.get(CompletableFuture.failedFuture(io), Duration.ofSeconds(10),
        "x")).isSameAs(io);
    // a failure of a dependent stage arrives wrapped in a CompletionException
    CompletableFuture<Object> wrapped = CompletableFuture.failedFuture(io).thenApply(v -> v);
    assertThatThrownBy(() -> Await.get(wrapped, Duration.ofSeconds(10), "x")).isSameAs(io);
    IllegalStateException bug = new IllegalStateException("bug");
    assertThatThrownBy(() -> Await.get(CompletableFuture.failedFuture(bug),
        Duration.ofSeconds(10), "x")).isExactlyInstanceOf(IOException.class)
        .hasMessage(bug.toString()).hasCause(bug);
  }

  @Test
  void asIoUnwrapsEveryWrapperDownToTheCause() {
    IOException io = new IOException("io");
    assertThat(Await.asIo(io)).isSameAs(io);
    assertThat(Await.asIo(new CompletionException(new CompletionException(io)))).isSameAs(io);
    assertThat(Await.asIo(new CompletionException(new ExecutionException(io)))).isSameAs(io);
    assertThat(Await.asIo(new ExecutionException(io))).isSameAs(io);
    // wrappers without a cause are what they are
    ExecutionException bare = new ExecutionException("bare", null);
    assertThat(Await.asIo(bare)).isExactlyInstanceOf(IOException.class).hasCause(bare)
        .hasMessage(bare.toString());
    CompletionException empty = new CompletionException("empty", null);
    assertThat(Await.unwrap(empty)).isSameAs(empty);
    UncheckedIOException unchecked = new UncheckedIOException(io);
    assertThat(Await.asIo(new CompletionException(unchecked))).hasCause(unchecked);
    assertThat(Await.unwrap(io)).isSameAs(io);
    assertThat(Await.unwrap(new CompletionException(unchecked))).isSameAs(unchecked);
  }

  @Test
  void anInterruptedWaitSaysSoAndKeepsTheInterrupt() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> Await.get(new CompletableFuture<>(), Duration.ofSeconds(30),
          "the answer")).isExactlyInstanceOf(InterruptedIOException.class)
          .hasMessage("interrupted while waiting for the answer");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
