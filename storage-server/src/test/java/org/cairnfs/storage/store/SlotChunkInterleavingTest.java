package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.secrets;
import static org.cairnfs.storage.store.StoreFixture.si;
import static org.cairnfs.storage.store.StoreFixture.slotShare;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.store.StoreException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chunk and a restart of the same slot version, interleaved at exactly the instruction where
 * they race ({@link SlotWriter.Interleaving}): the chunk of the version being replaced is told it
 * was restarted, never written into the dropped file, and the dropped version gives back its
 * open-write place once, however many paths discard it. A server-wide cap of two open writes
 * shows the place count: one place too many given back lets a third write in.
 */
class SlotChunkInterleavingTest {
  static final StorageIndex SI = si(21);
  static final byte[] V1 = slotShare(1, 100);
  static final byte[] V2 = slotShare(2, 100);

  @TempDir java.nio.file.Path dbDir;
  StoreFixture f;

  @AfterEach
  void tearDown() throws Exception {
    if (f != null) {
      f.close();
    }
  }

  private void open() throws Exception {
    f = new StoreFixture(dbDir, new StoreLimits(1 << 20, 0, 100_000, 2, 2));
  }

  private java.util.OptionalLong chunk(byte[] share, int offset, int length) throws Exception {
    return f.store.writeSlotChunk(SI, 0, share.length, offset,
        ByteBuffer.wrap(share, offset, length), ALICE, secrets(1));
  }

  /** Of the server's two open-write places exactly one is held: one more write, not two. */
  private void assertOnePlaceHeld() throws Exception {
    f.store.allocate(si(22), List.of(0), 10, ALICE, secrets(1));
    assertThatThrownBy(() -> f.store.allocate(si(23), List.of(0), 10, ALICE, secrets(1)))
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(Reason.BUSY));
    f.store.abort(ALICE, si(22), 0);
  }

  @Test
  void aChunkWhoseVersionIsRestartedBeforeItsLockIsToldSo() throws Exception {
    open();
    chunk(V1, 0, 50);
    AtomicBoolean once = new AtomicBoolean();
    f.store.slotWriter().interleaving = new SlotWriter.Interleaving() {
      @Override
      public void chunkFound(ShareKey key) {
        if (once.compareAndSet(false, true)) {
          try {
            chunk(V2, 0, 50); // the restart lands between the lookup and the lock
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        }
      }
    };
    assertThatThrownBy(() -> chunk(V1, 50, 50))
        .hasMessageContaining("was restarted or dropped while this chunk was on its way")
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(Reason.NOT_FOUND));
    assertOnePlaceHeld();
    assertThat(chunk(V2, 50, 50)).hasValue(2);
    assertThat(f.store.read(ShareKey.mutable(SI, 0), 0, 100)).isEqualTo(V2);
  }

  @Test
  void aVersionDiscardedByABadChunkAndByARestartGivesBackOnePlace() throws Exception {
    open();
    chunk(V1, 0, 50);
    CountDownLatch restarted = new CountDownLatch(1);
    AtomicReference<Throwable> restartFailed = new AtomicReference<>();
    AtomicReference<Thread> restart = new AtomicReference<>();
    f.store.slotWriter().interleaving = new SlotWriter.Interleaving() {
      @Override
      public void chunkLocked(ShareKey key) {
        if (restart.get() != null) {
          return; // the restart's own chunk
        }
        Thread t = new Thread(() -> {
          try {
            chunk(V2, 0, 50);
          } catch (Throwable e) {
            restartFailed.set(e);
          }
        });
        restart.set(t);
        t.start();
        try {
          // The restart has replaced the version and will discard it as soon as the bad
          // chunk below lets go of its lock, after the bad chunk discarded it itself.
          assertThat(restarted.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      }

      @Override
      public void restartStaged(ShareKey key) {
        if (Thread.currentThread() == restart.get()) {
          restarted.countDown();
        }
      }
    };
    assertThatThrownBy(() -> chunk(V1, 60, 40)) // not where the version stands: dropped
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(Reason.BAD_REQUEST));
    restart.get().join(10_000);
    assertThat(restart.get().isAlive()).isFalse();
    assertThat(restartFailed.get()).isNull();
    assertOnePlaceHeld(); // the restarted version's, and only it
    assertThat(chunk(V2, 50, 50)).hasValue(2);
    assertThat(f.store.read(ShareKey.mutable(SI, 0), 0, 100)).isEqualTo(V2);
  }
}
