package org.cairnfs.fs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.cairnfs.caps.CapFormatException;
import org.cairnfs.caps.dirnode.DirectoryFormatException;
import org.cairnfs.caps.dirnode.DirectoryIntegrityException;
import org.cairnfs.caps.immutable.IntegrityException;
import org.cairnfs.caps.manifest.ManifestFormatException;
import org.cairnfs.caps.mutable.MutableIntegrityException;
import org.cairnfs.fs.grid.HappinessException;
import org.cairnfs.fs.grid.NotEnoughSharesException;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.fs.mount.GridException;
import org.cairnfs.fs.mount.GridException.Kind;
import org.cairnfs.fs.mutable.SlotUnreadableException;
import org.junit.jupiter.api.Test;

/**
 * Each kind of grid failure becomes exactly its {@link GridException} kind, with the failure's
 * message and the failure itself as the cause; the wrappers around it are looked through. The
 * failures are the grid client's own exception types, built as the client builds them.
 */
class GridErrorsTest {
  static final StorageIndex SI = StorageIndex.of(new byte[StorageIndex.LENGTH]);

  /** A happiness failure with {@code happy} needed, {@code connected} servers, {@code full}. */
  static HappinessException happiness(int happy, int connected, int full) {
    return new HappinessException(SI, 1, happy, connected, connected, connected, 1, full,
        Map.of());
  }

  static GridException mapsTo(Throwable t, Kind kind) {
    GridException g = GridErrors.map(t);
    assertThat(g.kind()).as("kind of %s", t).isEqualTo(kind);
    return g;
  }

  /** A grid announcing hundreds of dead servers gets a message naming ten, not all. */
  @Test
  void aHappinessMessageNamesTenProblemsAtMost() {
    Map<String, String> problems = new java.util.TreeMap<>();
    for (int i = 0; i < 200; i++) {
      problems.put(String.format("server%03d", i), "unreachable");
    }
    HappinessException e = new HappinessException(SI, 0, 7, 200, 0, 0, 0, 0, problems);
    assertThat(e.getMessage()).contains("server000: unreachable", "server009: unreachable",
        "and 190 more").doesNotContain("server010").hasSizeLessThan(1000);
    assertThat(e.problems()).hasSize(200);
    HappinessException few = new HappinessException(SI, 0, 7, 2, 0, 0, 0, 0,
        Map.of("a", "x", "b", "y"));
    assertThat(few.getMessage()).contains("a: x; b: y. Nothing").doesNotContain("and 0 more");
  }

  @Test
  void happinessIsFullOnlyWhenFullServersAreWhy() {
    // no full server: not happy, whatever the counts
    mapsTo(happiness(3, 1, 0), Kind.NOT_HAPPY);
    mapsTo(happiness(3, 4, 0), Kind.NOT_HAPPY);
    // full servers, and without them fewer than happy remain: FULL
    mapsTo(happiness(3, 4, 2), Kind.FULL);
    mapsTo(happiness(3, 3, 1), Kind.FULL);
    // full servers, but happy servers remain without them: the full ones are not why
    mapsTo(happiness(3, 4, 1), Kind.NOT_HAPPY);
    mapsTo(happiness(3, 5, 1), Kind.NOT_HAPPY);
  }

  @Test
  void failedVerificationAndUnparseableDataAreIntegrity() {
    mapsTo(new IntegrityException("bad hash", Map.of(1, "hash")), Kind.INTEGRITY);
    mapsTo(new MutableIntegrityException("bad signature"), Kind.INTEGRITY);
    mapsTo(new DirectoryIntegrityException("bad dirnode", new IOException("x")),
        Kind.INTEGRITY);
    mapsTo(new DirectoryFormatException("truncated"), Kind.INTEGRITY);
    mapsTo(new ManifestFormatException("truncated"), Kind.INTEGRITY);
  }

  @Test
  void sharesDroppedOnlyForFailedReadsAreUnreachableNotIntegrity() {
    // every holder's server failed the read (e.g. INTERNAL): nothing failed verification
    mapsTo(new IntegrityException("need 3 good shares", Map.of(
        0, "read failed: ServerErrorException: INTERNAL", 4, "read failed: timeout")),
        Kind.UNREACHABLE);
    // one share whose bytes were wrong makes it an integrity failure
    mapsTo(new IntegrityException("need 3 good shares", Map.of(
        0, "read failed: timeout", 4, "block 2 does not match its hash")), Kind.INTEGRITY);
    // a truncated share is a bad share, and a failure naming no share is the uploader's
    mapsTo(new IntegrityException("need 3 good shares", Map.of(0, "truncated: EOF")),
        Kind.INTEGRITY);
    mapsTo(new IntegrityException("inconsistent erasure coding", Map.of()), Kind.INTEGRITY);
  }

  @Test
  void anObjectNoServerHoldsIsNotFound() {
    mapsTo(new SlotUnreadableException(SI, "no shares", true), Kind.NOT_FOUND);
    mapsTo(new NotEnoughSharesException(SI, Set.of(), 2, 4, 4, ""), Kind.NOT_FOUND);
    mapsTo(new FileNotFoundException("gone"), Kind.NOT_FOUND);
    mapsTo(new CapFormatException("not a cap"), Kind.NOT_FOUND);
  }

  @Test
  void tooFewSharesOrServersIsUnreachable() {
    // some shares were found: the rest may come back
    mapsTo(new SlotUnreadableException(SI, "one share", false), Kind.UNREACHABLE);
    mapsTo(new NotEnoughSharesException(SI, Set.of(0), 2, 4, 4, ""), Kind.UNREACHABLE);
    mapsTo(new IOException("connection refused"), Kind.UNREACHABLE);
    mapsTo(new IllegalStateException("closed"), Kind.UNREACHABLE);
  }

  @Test
  void theMessageAndCauseAreTheFailure() {
    IntegrityException e = new IntegrityException("share 3 bad", Map.of(3, "hash"));
    GridException g = mapsTo(e, Kind.INTEGRITY);
    assertThat(g).hasMessage(e.getMessage()).hasCause(e);
    HappinessException h = happiness(3, 4, 2);
    assertThat(mapsTo(h, Kind.FULL)).hasMessage(h.getMessage()).hasCause(h);
    assertThat(mapsTo(happiness(3, 4, 0), Kind.NOT_HAPPY).getCause())
        .isInstanceOf(HappinessException.class);
    FileNotFoundException f = new FileNotFoundException("x");
    assertThat(mapsTo(f, Kind.NOT_FOUND)).hasMessage("x").hasCause(f);
    // without a message, the failure's text
    IllegalStateException bare = new IllegalStateException();
    assertThat(mapsTo(bare, Kind.UNREACHABLE)).hasMessage(bare.toString()).hasCause(bare);
  }

  @Test
  void aGridExceptionStaysAsItIs() {
    GridException g = new GridException(Kind.INTEGRITY, "already mapped");
    assertThat(GridErrors.map(g)).isSameAs(g);
    assertThat(GridErrors.map(new CompletionException(g))).isSameAs(g);
  }

  @Test
  void wrappersAreLookedThrough() {
    FileNotFoundException f = new FileNotFoundException("gone");
    assertThat(mapsTo(new CompletionException(f), Kind.NOT_FOUND)).hasCause(f);
    assertThat(mapsTo(new ExecutionException(f), Kind.NOT_FOUND)).hasCause(f);
    // the plain IOException Await.asIo wraps other failures in, nested in a completion
    assertThat(mapsTo(new CompletionException(new IOException("await", f)), Kind.NOT_FOUND))
        .hasCause(f);
    assertThat(mapsTo(new ExecutionException(new CompletionException(
        new IOException(happiness(3, 4, 2)))), Kind.FULL).getCause())
        .isInstanceOf(HappinessException.class);
    // a wrapper without a cause is the failure itself
    CompletionException empty = new CompletionException("empty", null);
    assertThat(mapsTo(empty, Kind.UNREACHABLE)).hasCause(empty);
    IOException plain = new IOException("plain");
    assertThat(mapsTo(plain, Kind.UNREACHABLE)).hasCause(plain);
  }

  @Test
  void otherFailuresWithACauseAreNotLookedThrough() {
    // only completion wrappers and the plain IOException: a subclass or another exception
    // carrying a cause is a failure of its own
    FileNotFoundException inner = new FileNotFoundException("inner");
    RuntimeException outer = new RuntimeException("outer", inner);
    assertThat(mapsTo(outer, Kind.UNREACHABLE)).hasCause(outer);
    IOException sub = new java.nio.file.FileSystemException("sub") {
      private static final long serialVersionUID = 1L;
    };
    sub.initCause(inner);
    assertThat(mapsTo(sub, Kind.UNREACHABLE)).hasCause(sub);
    IllegalArgumentException arg = new IllegalArgumentException("arg", inner);
    assertThat(mapsTo(arg, Kind.UNREACHABLE)).hasCause(arg);
  }

  @Test
  void mappedFuturesKeepValuesAndTheCallersBadInput() throws Exception {
    assertThat(GridErrors.mapped(CompletableFuture.completedFuture("v")).get()).isEqualTo("v");
    assertThat(GridErrors.mapped(CompletableFuture.<String>completedFuture(null)).get())
        .isNull();

    IllegalArgumentException bad = new IllegalArgumentException("bad name");
    assertThatThrownBy(() -> GridErrors.mapped(CompletableFuture.failedFuture(bad)).get())
        .isInstanceOf(ExecutionException.class).cause().isSameAs(bad);
    assertThatThrownBy(() -> GridErrors.failed(new CompletionException(bad)).get())
        .isInstanceOf(ExecutionException.class).cause().isSameAs(bad);
    // a subclass of IllegalArgumentException is a grid failure: a malformed cap, a bad dirnode
    assertThatThrownBy(() -> GridErrors.failed(new CapFormatException("cap")).get())
        .cause().isInstanceOf(GridException.class)
        .satisfies(c -> assertThat(((GridException) c).kind()).isEqualTo(Kind.NOT_FOUND));
    assertThatThrownBy(() -> GridErrors.failed(new DirectoryFormatException("d")).get())
        .cause().isInstanceOf(GridException.class)
        .satisfies(c -> assertThat(((GridException) c).kind()).isEqualTo(Kind.INTEGRITY));
    HappinessException h = happiness(3, 4, 2);
    assertThatThrownBy(() -> GridErrors.mapped(CompletableFuture.failedFuture(
        new CompletionException(h))).join())
        .isInstanceOf(CompletionException.class).cause().isInstanceOf(GridException.class)
        .satisfies(c -> assertThat(((GridException) c).kind()).isEqualTo(Kind.FULL))
        .satisfies(c -> assertThat(c.getCause()).isSameAs(h));
  }
}
