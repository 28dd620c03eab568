package org.cairnfs.storage.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.net.ShareStoreBackendTest.allocate;
import static org.cairnfs.storage.net.ShareStoreBackendTest.codeOf;
import static org.cairnfs.storage.net.ShareStoreBackendTest.connection;
import static org.cairnfs.storage.net.ShareStoreBackendTest.filled;
import static org.cairnfs.storage.net.ShareStoreBackendTest.si;
import static org.cairnfs.storage.net.ShareStoreBackendTest.slotChunk;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.WriteChunk;
import org.cairnfs.protocol.server.Caller;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.store.AcceptingSlotCheck;
import org.cairnfs.storage.store.ShareStore;
import org.cairnfs.storage.store.StoreLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-address count of open writes goes back down on every path that ends a write (close,
 * abort, a slot's last chunk, a takeover by a connection from elsewhere, an idle write pruned,
 * the connection dropping). A leak on any of them would leave the address BUSY for good. The
 * address cap is {@value #ADDRESS_CAP} and the per-connection cap far above it, so only the
 * address count refuses; each test probes it from another connection of the same address,
 * whose own writes the backend never prunes for the first.
 */
class OpenWritesPerAddressTest {
  static final int ADDRESS_CAP = 2;
  static final NodeId OTHER_NODE = NodeId.of(filled(32, 0xb));
  static final String X = "10.0.0.1";
  static final String Y = "10.0.0.2";

  @TempDir Path dir;
  final FakeClock clock = new FakeClock();
  LeaseDb leases;
  ShareStore store;
  ShareStoreBackend backend;
  int nextIndex = 100;

  void open(int perConnection, int perAddress) throws Exception {
    leases = LeaseDb.open(dir.resolve("leases.db"), clock, Duration.ofDays(31));
    store = ShareStore.open(dir.resolve("store"), new StoreLimits(1 << 30, 0, 1 << 20)
            .withOpenWriteCaps(1000, perConnection).withOpenWritesPerAddress(perAddress)
            .withOpenWriteIdleTimeout(Duration.ofMinutes(5)),
        leases, () -> 1L << 40, AcceptingSlotCheck.INSTANCE);
    backend = new ShareStoreBackend(store);
  }

  void open() throws Exception {
    open(100, ADDRESS_CAP);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (store != null) {
      store.close();
      leases.close();
    }
  }

  /** Asserts that a new connection from {@code address} may open exactly {@code room} writes. */
  void assertRoom(String address, int room) throws Exception {
    Caller probe = connection(500 + nextIndex, OTHER_NODE, address);
    int index = nextIndex++;
    if (room > 0) {
      backend.allocate(probe, allocate(si(index), 0, range(room)));
    }
    assertThatThrownBy(() -> backend.allocate(probe, allocate(si(index), 0, room)))
        .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.BUSY))
        .hasMessageContaining("address busy");
    backend.connectionClosed(probe);
  }

  static int[] range(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

  @Test
  void aClosedUploadLeavesItsAddressCount() throws Exception {
    open();
    Caller a = connection(1, ShareStoreBackendTest.NODE, X);
    backend.allocate(a, allocate(si(1), 0, 0, 1));
    assertRoom(X, 0);
    backend.closeShare(a, si(1), 0);
    assertRoom(X, 1);
    backend.closeShare(a, si(1), 1);
    assertRoom(X, 2);
    assertThat(backend.openWritesByAddress()).isEmpty();
  }

  @Test
  void anAbortedUploadLeavesItsAddressCount() throws Exception {
    open();
    Caller a = connection(1, ShareStoreBackendTest.NODE, X);
    backend.allocate(a, allocate(si(1), 5000, 0, 1));
    backend.abortShare(a, si(1), 0);
    assertRoom(X, 1);
    backend.abortShare(a, si(1), 1);
    assertRoom(X, 2);
    assertThat(backend.openWritesByAddress()).isEmpty();
    assertThat(store.usedBytes()).isZero();
  }

  @Test
  void anAbortThatFailsStillLeavesTheCount() throws Exception {
    open();
    Caller a = connection(1, ShareStoreBackendTest.NODE, X);
    backend.allocate(a, allocate(si(1), 10, 0));
    backend.writeChunk(a, new WriteChunk(si(1), 0, 0, new byte[10]));
    backend.closeShare(a, si(1), 0);
    // Aborting what is no longer open is refused and counts nothing.
    assertThatThrownBy(() -> backend.abortShare(a, si(1), 0))
        .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NOT_FOUND));
    assertRoom(X, 2);
  }

  @Test
  void aSlotWriteLeavesItsAddressCountAtItsLastChunk() throws Exception {
    open();
    Caller a = connection(1, ShareStoreBackendTest.NODE, X);
    backend.writeSlotShare(a, slotChunk(si(1), 0, 30, 0, new byte[10]));
    backend.writeSlotShare(a, slotChunk(si(1), 1, 30, 0, new byte[10]));
    assertRoom(X, 0);
    backend.writeSlotShare(a, slotChunk(si(1), 0, 30, 10, new byte[10])); // middle: still open
    assertRoom(X, 0);
    backend.writeSlotShare(a, slotChunk(si(1), 0, 30, 20, new byte[10]));
    assertRoom(X, 1);
    backend.writeSlotShare(a, slotChunk(si(1), 1, 30, 10, new byte[20]));
    assertRoom(X, 2);
    assertThat(backend.openWritesByAddress()).isEmpty();
    assertThat(store.shareSizes(si(1), org.cairnfs.storage.share.ShareKind.MUTABLE))
        .containsOnlyKeys(0, 1);
  }

  @Test
  void anUploadTakenOverFromElsewhereMovesToTheNewAddress() throws Exception {
    open();
    Caller a = connection(1, ShareStoreBackendTest.NODE, X);
    Caller b = connection(2, ShareStoreBackendTest.NODE, Y);
    backend.allocate(a, allocate(si(1), 0, 0));
    backend.writeSlotShare(a, slotChunk(si(2), 0, 20, 0, new byte[10]));
    assertRoom(X, 0);
    // The node reconnects from another address and restarts both writes there.
    backend.allocate(b, allocate(si(1), 0, 0));
    backend.writeSlotShare(b, slotChunk(si(2), 0, 20, 0, new byte[10]));
    assertRoom(X, 2);
    assertRoom(Y, 0);
    // The old connection dropping neither aborts them nor moves any count.
    backend.connectionClosed(a);
    assertRoom(X, 2);
    assertRoom(Y, 0);
    backend.closeShare(b, si(1), 0);
    assertRoom(Y, 1);
    backend.writeSlotShare(b, slotChunk(si(2), 0, 20, 10, new byte[10]));
    assertRoom(Y, 2);
    assertThat(backend.openWritesByAddress()).isEmpty();
  }

  @Test
  void aDroppedConnectionLeavesItsAddressCount() throws Exception {
    open();
    Caller a = connection(1, ShareStoreBackendTest.NODE, X);
    backend.allocate(a, allocate(si(1), 0, 0));
    backend.writeSlotShare(a, slotChunk(si(2), 0, 20, 0, new byte[10]));
    assertRoom(X, 0);
    backend.connectionClosed(a);
    assertRoom(X, 2);
    assertThat(backend.openWritesByAddress()).isEmpty();
  }

  /**
   * Writes dropped as idle still count until their connection next asks past a cap: then they
   * are pruned, and the address count goes down with them. Here only the address cap is
   * reached, so only it can trigger the prune.
   */
  @Test
  void idleWritesArePrunedWhenTheAddressCapIsReached() throws Exception {
    open();
    Caller a = connection(1, ShareStoreBackendTest.NODE, X);
    backend.allocate(a, allocate(si(1), 0, 0));
    backend.writeSlotShare(a, slotChunk(si(2), 0, 20, 0, new byte[10]));
    clock.advance(Duration.ofMinutes(6));
    assertThat(store.expireIdleWrites()).isEqualTo(2);
    assertThat(store.isWriteOpen(org.cairnfs.storage.lease.LeaseOwner.of(
        ShareStoreBackendTest.NODE.toBytes()), si(1), 0, false)).isFalse();
    assertRoom(X, 0); // still counted: nothing asked past the cap yet
    backend.allocate(a, allocate(si(3), 0, 0, 1));
    assertThat(backend.openWritesByAddress()).containsExactly(
        java.util.Map.entry(InetAddress.getByName(X), 2));
  }

  /** Likewise when only the connection's own cap is reached. */
  @Test
  void idleWritesArePrunedWhenTheConnectionCapIsReached() throws Exception {
    open(2, 100);
    Caller a = connection(1, ShareStoreBackendTest.NODE, X);
    backend.allocate(a, allocate(si(1), 0, 0));
    backend.writeSlotShare(a, slotChunk(si(2), 0, 20, 0, new byte[10]));
    clock.advance(Duration.ofMinutes(6));
    assertThat(store.expireIdleWrites()).isEqualTo(2);
    backend.allocate(a, allocate(si(3), 0, 0, 1));
    assertThat(backend.openWritesByAddress()).containsExactly(
        java.util.Map.entry(InetAddress.getByName(X), 2));
  }

  /**
   * The prune runs only past a cap (the documented rule: an idle write still counts until its
   * connection asks for more than fits). A request that exactly fills the cap leaves the
   * expired write counted, so another connection from the address finds no room until then.
   */
  @Test
  void aRequestThatExactlyFillsTheCapsPrunesNothing() throws Exception {
    open();
    Caller a = connection(1, ShareStoreBackendTest.NODE, X);
    backend.allocate(a, allocate(si(1), 0, 0));
    clock.advance(Duration.ofMinutes(6));
    assertThat(store.expireIdleWrites()).isEqualTo(1);
    backend.allocate(a, allocate(si(3), 0, 0));
    assertRoom(X, 0);
    assertThat(backend.openWritesByAddress()).containsExactly(
        java.util.Map.entry(InetAddress.getByName(X), 2));

    store.close();
    leases.close();
    open(2, 100);
    Caller c = connection(7, ShareStoreBackendTest.NODE, Y);
    backend.allocate(c, allocate(si(1), 0, 0));
    clock.advance(Duration.ofMinutes(6));
    assertThat(store.expireIdleWrites()).isEqualTo(1);
    backend.allocate(c, allocate(si(3), 0, 0));
    assertThat(backend.openWritesByAddress()).containsExactly(
        java.util.Map.entry(InetAddress.getByName(Y), 2));
  }
}
