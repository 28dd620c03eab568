package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.pattern;
import static org.cairnfs.storage.store.StoreFixture.secrets;
import static org.cairnfs.storage.store.StoreFixture.si;

import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.lease.ShareCharge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes that fail on disk or are interrupted: a waiting {@code close} reports the commit's own
 * outcome, and a failed allocation, slot staging or commit leaves no file, place or byte behind.
 */
class WriteFailureTest {
  static final StorageIndex SI = si(9);
  @TempDir Path dbDir;
  StoreFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new StoreFixture(dbDir, new StoreLimits(1 << 20, 0, 100_000).withOpenWriteCaps(1, 1));
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  void written(int n, byte[] data) throws Exception {
    f.store.allocate(SI, List.of(n), data.length, ALICE, secrets(1));
    f.store.write(ALICE, SI, n, 0, ByteBuffer.wrap(data));
  }

  List<Path> incomingFiles() throws java.io.IOException {
    try (java.util.stream.Stream<Path> files = Files.walk(f.store.layout().incomingDir())) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  /**
   * An allocation whose second incoming file cannot be created opens nothing: the first
   * file is deleted and every place and byte it took is given back.
   */
  @Test
  void anAllocationThatFailsOnDiskLeavesNothingBehind() throws Exception {
    f.close();
    f = new StoreFixture(dbDir, new StoreLimits(1 << 20, 0, 100_000).withOpenWriteCaps(2, 2));
    // The store numbers incoming files 1, 2, ... in share order: share 1's will be serial 2.
    Path blocker = f.store.layout().incomingPath(
        org.cairnfs.storage.share.ShareKey.immutable(SI, 1), 2);
    Files.createDirectories(blocker.getParent());
    Files.write(blocker, new byte[0]);
    assertThatThrownBy(() -> f.store.allocate(SI, List.of(0, 1), 5000, ALICE, secrets(1)))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(incomingFiles()).containsExactly(blocker);
    assertThat(f.store.usedBytes()).isZero();
    assertThat(f.store.isWriteOpen(ALICE, SI, 0, false)).isFalse();
    Files.delete(blocker);
    f.store.allocate(SI, List.of(0, 1), 5000, ALICE, secrets(1)); // both places are free
    assertThat(f.store.usedBytes()).isEqualTo(2 * 5000);
  }

  /** A slot version whose staged file cannot be created gives back its place and space. */
  @Test
  void aSlotWriteThatCannotStageLeavesNothingBehind() throws Exception {
    // The store numbers staged files 1, 2, ...: the first chunked write's is serial 1.
    Path blocker = f.store.layout().slotTempPath(
        org.cairnfs.storage.share.ShareKey.mutable(SI, 0), 1);
    Files.createDirectories(blocker.getParent());
    Files.write(blocker, new byte[0]);
    assertThatThrownBy(() -> f.store.writeSlotChunk(SI, 0, 100, 0,
        ByteBuffer.wrap(StoreFixture.slotShare(1, 10)), ALICE, secrets(1)))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(f.store.usedBytes()).isZero();
    assertThat(f.store.isWriteOpen(ALICE, SI, 0, true)).isFalse();
    Files.delete(blocker);
    // The one place (the server-wide cap is 1) is free again.
    f.store.writeSlotChunk(SI, 0, 100, 0, ByteBuffer.wrap(StoreFixture.slotShare(1, 10)), ALICE,
        secrets(1));
    assertThat(f.store.usedBytes()).isEqualTo(ShareCharge.of(100));
  }

  /**
   * An interrupt while the close waits for its commit does not abandon it: the close returns
   * once the share is stored, and the thread's interrupt status is kept for its caller.
   */
  @Test
  void anInterruptedCloseStillWaitsForTheCommitAndKeepsTheInterrupt() throws Exception {
    written(0, pattern(100, 1));
    CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
    Thread closer;
    f.store.commitLock().lock();
    try {
      closer = new Thread(() -> {
        try {
          f.store.close(ALICE, SI, 0);
          interruptedAfter.complete(Thread.currentThread().isInterrupted());
        } catch (Throwable t) {
          interruptedAfter.completeExceptionally(t);
        }
      });
      closer.start();
      Thread.sleep(100);
      closer.interrupt();
      Thread.sleep(100);
      assertThat(interruptedAfter).as("still waiting for the commit").isNotDone();
    } finally {
      f.store.commitLock().unlock();
    }
    assertThat(interruptedAfter.get(10, TimeUnit.SECONDS)).isTrue();
    closer.join();
    assertThat(f.store.heldShares(SI)).containsExactly(0);
  }

  /**
   * A commit that fails on disk reports the file system's own exception, unwrapped, and drops
   * the upload with its place and space.
   */
  @Test
  void aCommitThatFailsOnDiskReportsItsOwnErrorAndDropsTheUpload() throws Exception {
    written(0, pattern(100, 1));
    Path indexDir = f.store.layout().indexDir(SI);
    Files.createDirectories(indexDir.getParent());
    Files.write(indexDir, new byte[1]); // a file where the share's directory belongs
    assertThatThrownBy(() -> f.store.close(ALICE, SI, 0))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(f.store.isWriteOpen(ALICE, SI, 0, false)).isFalse();
    assertThat(f.store.usedBytes()).isZero();
    assertThat(incomingFiles()).as("the failed upload's file is deleted").isEmpty();
    Files.delete(indexDir);
    written(0, pattern(100, 2)); // the place is free again (the server-wide cap is 1)
    f.store.close(ALICE, SI, 0);
    assertThat(f.store.read(org.cairnfs.storage.share.ShareKey.immutable(SI, 0), 0, 100))
        .isEqualTo(pattern(100, 2));
  }

  /**
   * A directory sync the disk fails is not a stored share: the close (and a slot write) reports
   * it, naming the directory, and the upload's place is given back. The name is already in
   * place and recorded, so a later close of the same share or a restart finds it consistent.
   */
  @Test
  void aDirectorySyncThatFailsFailsTheCloseAndTheSlotWrite() throws Exception {
    java.util.Set<Path> failing = java.util.concurrent.ConcurrentHashMap.newKeySet();
    f.close();
    f = new StoreFixture(dbDir, new StoreLimits(1 << 20, 0, 100_000).withOpenWriteCaps(1, 1));
    f.dirSyncer = dir -> {
      if (failing.contains(dir)) {
        throw new java.io.IOException("EIO (test)");
      }
    };
    f.store.close();
    f.leases.close();
    f.open();
    failing.add(f.store.layout().indexDir(SI));
    written(0, pattern(100, 1));
    assertThatThrownBy(() -> f.store.close(ALICE, SI, 0))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining(f.store.layout().indexDir(SI).toString())
        .hasMessageContaining("EIO (test)");
    assertThat(f.store.isWriteOpen(ALICE, SI, 0, false)).isFalse();

    StorageIndex slot = si(10);
    failing.add(f.store.layout().indexDir(slot));
    assertThatThrownBy(() -> f.store.writeSlotShare(slot, 0, StoreFixture.slotShare(1, 50),
        ALICE, secrets(1)))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("EIO (test)");

    failing.clear();
    written(1, pattern(100, 2)); // the place is free again (the server-wide cap is 1)
    f.store.close(ALICE, SI, 1);
    assertThat(f.store.read(org.cairnfs.storage.share.ShareKey.immutable(SI, 1), 0, 100))
        .isEqualTo(pattern(100, 2));
  }

  /**
   * A close whose lease record cannot be committed fails: its share is in place but without
   * a durable record, which the start-up reconciliation adopts after a restart.
   */
  @Test
  void aCloseWhoseLeaseRecordFailsFailsAndRestartAdoptsTheShare() throws Exception {
    written(0, pattern(100, 1));
    f.failLeaseCommits = true;
    assertThatThrownBy(() -> f.store.close(ALICE, SI, 0))
        .hasStackTraceContaining("lease log write failed (test)");
    assertThat(f.store.isWriteOpen(ALICE, SI, 0, false)).isFalse();
    f.failLeaseCommits = false;
    f.crashAndReopen();
    assertThat(f.store.read(org.cairnfs.storage.share.ShareKey.immutable(SI, 0), 0, 100))
        .isEqualTo(pattern(100, 1));
    assertThat(f.leases.find(org.cairnfs.storage.share.ShareKey.immutable(SI, 0))).isPresent();
  }
}
