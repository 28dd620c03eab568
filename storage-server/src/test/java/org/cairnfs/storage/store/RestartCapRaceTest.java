package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.server.Caller;
import org.cairnfs.protocol.server.StorageException;
import org.cairnfs.storage.net.ShareStoreBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One connection's allocations run concurrently. While one of them restarts the connection's
 * own open uploads, the store has them closed for a moment; another allocation of the same
 * connection that prunes its closed writes then must not drop their claims, or the restart's
 * re-claim lands on top of places the other was let in on, and the connection passes its cap.
 * The restart is frozen in that window by holding the space budget's monitor, which the store
 * takes to give back the dropped upload's reservation.
 */
class RestartCapRaceTest {
  private static final int CAP = 4;

  @TempDir java.nio.file.Path dbDir;
  private StoreFixture f;
  private ShareStoreBackend backend;
  private final Caller a = new Caller(NodeKey.generate().nodeId(), 1, null);

  @BeforeEach
  void open() throws Exception {
    f = new StoreFixture(dbDir, StoreLimits.unlimited().withOpenWriteCaps(100, CAP));
    backend = new ShareStoreBackend(f.store);
  }

  @AfterEach
  void close() throws Exception {
    f.close();
  }

  private static Request.Allocate allocate(int v, Integer... shares) {
    byte[] renew = new byte[32];
    byte[] cancel = new byte[32];
    Arrays.fill(renew, (byte) 1);
    Arrays.fill(cancel, (byte) 2);
    return new Request.Allocate(si(v), renew, cancel, 4096, Set.of(shares));
  }

  /** Indexes differing in their first byte (all-equal bytes hash alike modulo 64). */
  private static org.cairnfs.caps.StorageIndex si(int v) {
    byte[] b = new byte[16];
    b[0] = (byte) v;
    return org.cairnfs.caps.StorageIndex.of(b);
  }

  @Test
  void aPruneDuringTheConnectionsOwnRestartKeepsItsClaims() throws Exception {
    backend.allocate(a, allocate(1, 0)); // one of the connection's 4 places
    CompletableFuture<Void> restart;
    synchronized (f.store.budget()) {
      restart = CompletableFuture.runAsync(() -> {
        try {
          backend.allocate(a, allocate(1, 0)); // restarts its own upload
        } catch (StorageException e) {
          throw new IllegalStateException(e);
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (f.store.isWriteOpen(ownerOf(a), si(1), 0, false)
          && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(f.store.isWriteOpen(ownerOf(a), si(1), 0, false))
          .as("the restart dropped the old upload and waits on the budget").isFalse();
      // Another index, another stripe: this allocation runs beside the frozen restart. Let in
      // (the bug) it would wait on the budget too, so it runs on its own thread.
      int w = 2;
      while (w < 100
          && Math.floorMod(si(w).hashCode(), 64) == Math.floorMod(si(1).hashCode(), 64)) {
        w++; // the backend's 64 stripes
      }
      int otherIndex = w;
      CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
        try {
          backend.allocate(a, allocate(otherIndex, 0, 1, 2, 3));
        } catch (StorageException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      assertThatThrownBy(() -> other.get(10, TimeUnit.SECONDS))
          .as("1 + 4 places: over the connection's cap while its own upload restarts")
          .hasCauseInstanceOf(StorageException.class);
      assertThat(((StorageException) other.handle((v, e) -> e.getCause()).join()).code())
          .isEqualTo(ErrorCode.BUSY);
    }
    restart.get(10, TimeUnit.SECONDS);
    assertThat(f.store.isWriteOpen(ownerOf(a), si(1), 0, false)).isTrue();
    assertThatThrownBy(() -> backend.allocate(a, allocate(200, 0, 1, 2, 3)))
        .as("the restarted upload still counts").isInstanceOf(StorageException.class);
    backend.allocate(a, allocate(200, 0, 1, 2));
  }

  private static org.cairnfs.storage.lease.LeaseOwner ownerOf(Caller c) {
    return org.cairnfs.storage.lease.LeaseOwner.of(c.nodeId().toBytes());
  }
}
