package org.cairnfs.storage.store;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.LeaseSecrets;

/** A store on Jimfs with a lease DB in a real temp dir, a fake clock and a fake free space. */
final class StoreFixture implements AutoCloseable {
  static final LeaseOwner ALICE = LeaseOwner.of(filled(32, 0xa));
  static final LeaseOwner BOB = LeaseOwner.of(filled(32, 0xb));
  static final Duration LEASE = Duration.ofDays(31);

  final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  final Path storageDir = fs.getPath("/srv/cairn");
  final Path dbDir;
  final FakeClock clock = new FakeClock();
  long freeBytes = 1L << 40;
  StoreLimits limits;
  LeaseDb leases;
  ShareStore store;

  /**
   * A stand-in for the caps check: the share's first 8 bytes are its seqnum, a share starting
   * with 0xEE has a "bad signature", and seqnums must grow.
   */
  static final SlotWriteCheck FAKE_CHECK = (StorageIndex index, byte[] share, OptionalLong held) -> {
    if (share.length < 8) {
      throw new SlotWriteCheck.Rejected("too short");
    }
    if (share[0] == (byte) 0xEE) {
      throw new SlotWriteCheck.Rejected("bad signature");
    }
    long seqnum = ByteBuffer.wrap(share).getLong();
    if (held.isPresent() && seqnum <= held.getAsLong()) {
      throw new SlotWriteCheck.Rejected("seqnum " + seqnum + " not above " + held.getAsLong());
    }
    return seqnum;
  };

  StoreFixture(Path dbDir, StoreLimits limits) throws IOException {
    this.dbDir = dbDir;
    this.limits = limits;
    open();
  }

  void open() throws IOException {
    leases = LeaseDb.open(dbDir.resolve("leases.db"), clock, LEASE);
    store = ShareStore.open(storageDir, limits, leases, () -> freeBytes, FAKE_CHECK);
  }

  /** Simulates a crash: nothing is closed; files stay as they are; a new store opens them. */
  void crashAndReopen() throws IOException {
    leases.close(); // releases MapDB's file lock; its commits are already durable
    store = null;
    open();
  }

  static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  static byte[] pattern(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + seed);
    }
    return b;
  }

  static StorageIndex si(int v) {
    return StorageIndex.of(filled(16, v));
  }

  static LeaseSecrets secrets(int v) {
    return LeaseSecrets.of(filled(32, v), filled(32, v + 100));
  }

  static byte[] slotShare(long seqnum, int length) {
    ByteBuffer b = ByteBuffer.allocate(length);
    b.putLong(seqnum);
    while (b.hasRemaining()) {
      b.put((byte) seqnum);
    }
    return b.array();
  }

  /** Allocates, writes in two chunks and closes one share. */
  void upload(StorageIndex index, int n, byte[] data, LeaseOwner owner) throws Exception {
    store.allocate(index, List.of(n), data.length, owner, secrets(n));
    int half = data.length / 2;
    store.write(owner, index, n, half, ByteBuffer.wrap(data, half, data.length - half));
    store.write(owner, index, n, 0, ByteBuffer.wrap(data, 0, half));
    store.close(owner, index, n);
  }

  @Override
  public void close() throws IOException {
    if (store != null) {
      store.close();
    }
    leases.close();
    fs.close();
  }
}
