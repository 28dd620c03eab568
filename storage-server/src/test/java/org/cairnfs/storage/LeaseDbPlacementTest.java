package org.cairnfs.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Set;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.storage.config.StorageConfig;
import org.cairnfs.storage.lease.Lease;
import org.cairnfs.storage.lease.LeaseDbDamagedException;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.OldLeaseDbFile;
import org.cairnfs.storage.lease.ShareCharge;
import org.cairnfs.storage.lease.ShareRecord;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.store.SlotWriteCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose lease database lives outside its storage dir (as a node's does): the share
 * tree holds only shares, an old database inside it is moved on start, and a damaged database
 * stops the start with the fix instead of silently starting empty.
 */
class LeaseDbPlacementTest {
  static final StorageIndex SI = StorageIndex.of(filled(16, 4));
  final NodeKey key = NodeKey.generate();

  @TempDir
  Path node;

  static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  Path storage() {
    return node.resolve("storage");
  }

  Path leaseDb() {
    return node.resolve("private/leases.sqlite");
  }

  StorageConfig config(boolean outside) {
    StorageConfig.Builder b = StorageConfig.builder(storage()).host("127.0.0.1").port(0)
        .reservedSpace(0);
    if (outside) {
      b.leaseDbFile(leaseDb());
    }
    return b.build();
  }

  StorageServer start(boolean outside) throws IOException {
    return StorageServer.start(config(outside), key, InstantSource.system(), () -> 1L << 40,
        SlotWriteCheck.KEYLESS);
  }

  static void storeShare(StorageServer s, byte[] data) throws Exception {
    LeaseOwner owner = LeaseOwner.of(filled(32, 9));
    s.store().allocate(SI, Set.of(0), data.length, owner,
        org.cairnfs.storage.lease.LeaseSecrets.of(filled(32, 1), filled(32, 2)));
    s.store().write(owner, SI, 0, 0, java.nio.ByteBuffer.wrap(data));
    s.store().close(owner, SI, 0);
  }

  @Test
  void theShareTreeHoldsOnlySharesAndTheDatabaseIsWhereConfigured() throws Exception {
    try (StorageServer s = start(true)) {
      storeShare(s, filled(3000, 5));
    }
    assertThat(leaseDb()).exists();
    try (var files = Files.walk(storage())) {
      assertThat(files.filter(Files::isRegularFile).map(p -> storage().relativize(p).toString()))
          .containsExactly("shares/" + SI.toString().substring(0, 2) + "/" + SI + "/0");
    }
  }

  @Test
  void anOldDatabaseInTheStorageDirIsImportedWithItsLeases() throws Exception {
    Lease lease = new Lease(LeaseOwner.of(filled(32, 9)), filled(32, 1), filled(32, 2),
        java.time.Instant.ofEpochMilli(System.currentTimeMillis()).plus(
            java.time.Duration.ofDays(20)));
    Files.createDirectories(storage());
    OldLeaseDbFile.write(storage().resolve("leases.db"), java.util.Map.of(ShareKey.immutable(SI,
        0), new ShareRecord(3000, ShareRecord.NO_SEQNUM, java.util.List.of(lease))),
        filled(32, 3));
    Path share = storage().resolve("shares/" + SI.toString().substring(0, 2) + "/" + SI + "/0");
    Files.createDirectories(share.getParent());
    Files.write(share, filled(3000, 5));
    try (StorageServer s = start(true)) {
      assertThat(s.store().leases().find(ShareKey.immutable(SI, 0)).orElseThrow().leases())
          .singleElement().satisfies(l -> {
            assertThat(l.owner()).isEqualTo(lease.owner());
            assertThat(l.renewHash()).isEqualTo(lease.renewHash());
            assertThat(l.cancelHash()).isEqualTo(lease.cancelHash());
            assertThat(l.expiry()).isEqualTo(lease.expiry());
          });
      assertThat(s.store().usedBytes()).isEqualTo(ShareCharge.of(3000));
    }
    assertThat(storage().resolve("leases.db")).doesNotExist();
    assertThat(storage().resolve("leases.db.imported")).exists();
    assertThat(leaseDb()).exists();
  }

  @Test
  void aTruncatedOrOverwrittenDatabaseStopsTheStartAndLosesNoShare() throws Exception {
    try (StorageServer s = start(true)) {
      storeShare(s, filled(3000, 5));
    }
    byte[] whole = Files.readAllBytes(leaseDb());
    Path share = storage().resolve("shares/" + SI.toString().substring(0, 2) + "/" + SI + "/0");
    for (byte[] damaged : new byte[][] {new byte[0], Arrays.copyOf(whole, 100),
        Arrays.copyOf(whole, whole.length / 2), filled(whole.length, 0x5a)}) {
      Files.delete(leaseDb());
      Files.write(leaseDb(), damaged);
      assertThatThrownBy(() -> start(true)).isInstanceOf(LeaseDbDamagedException.class)
          .hasMessageContaining(leaseDb() + " is damaged")
          .hasMessageContaining("mv " + leaseDb())
          .hasMessageContaining("shares are untouched");
      assertThat(Files.readAllBytes(share)).isEqualTo(filled(3000, 5));
      assertThat(Files.readAllBytes(leaseDb())).isEqualTo(damaged);
    }
    // The fix the message gives: move it aside; the share is kept under a recovered lease.
    Files.move(leaseDb(), leaseDb().resolveSibling("leases.sqlite.damaged"));
    try (StorageServer s = start(true)) {
      assertThat(s.store().heldShares(SI)).containsExactly(0);
      assertThat(s.store().leases().find(ShareKey.immutable(SI, 0)).orElseThrow().leases())
          .singleElement().satisfies(l -> assertThat(l.owner()).isEqualTo(LeaseOwner.RECOVERED));
    }
  }

  @Test
  void aDatabaseInsideTheShareTreeIsRefused() {
    assertThatThrownBy(() -> StorageConfig.builder(storage())
        .leaseDbFile(storage().resolve("shares/leases.db")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("share tree");
  }
}
