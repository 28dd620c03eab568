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
import org.cairnfs.caps.share.ShareSource;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.LeaseSecrets;
import org.cairnfs.storage.lease.ShareCharge;

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
   * A stand-in for the caps check: the share's first 8 bytes are its seqnum (its "front"), a
   * share starting with 0xEE has a "bad signature", one ending with 0xBB "bad content" (seen
   * only by the whole-share check), and seqnums must grow.
   */
  static final SlotWriteCheck FAKE_CHECK = new SlotWriteCheck() {
    @Override
    public int frontLength() {
      return 8;
    }

    @Override
    public void checkFront(StorageIndex index, int shareNumber, long size, byte[] front,
        OptionalLong held) throws Rejected {
      long seqnum = signedSeqnum(index, front);
      if (held.isPresent() && seqnum <= held.getAsLong()) {
        throw new Rejected("seqnum " + seqnum + " not above " + held.getAsLong());
      }
    }

    @Override
    public long check(StorageIndex index, int shareNumber, long size, ShareSource share,
        OptionalLong held) throws Rejected, IOException {
      byte[] front = share.read(0, (int) Math.min(size, 8));
      checkFront(index, shareNumber, size, front, held);
      long seqnum = signedSeqnum(index, front);
      if (share.read(size - 1, 1)[0] == (byte) 0xBB) {
        throw new Rejected("bad content");
      }
      return seqnum;
    }

    @Override
    public long signedSeqnum(StorageIndex index, byte[] prefix) throws Rejected {
      if (prefix.length < 8) {
        throw new Rejected("too short");
      }
      if (prefix[0] == (byte) 0xEE) {
        throw new Rejected("bad signature");
      }
      return ByteBuffer.wrap(prefix).getLong();
    }
  };

  final SlotWriteCheck slotCheck;
  /** Syncs the store's directories; a test may swap it before {@link #open}. */
  SharedDirectorySync.Syncer dirSyncer = DirectorySync::sync;
  /** Whether the lease database's next commits fail; a test may set it (checked per commit). */
  volatile boolean failLeaseCommits;

  StoreFixture(Path dbDir, StoreLimits limits) throws IOException {
    this(dbDir, limits, FAKE_CHECK);
  }

  StoreFixture(Path dbDir, StoreLimits limits, SlotWriteCheck slotCheck) throws IOException {
    this.dbDir = dbDir;
    this.limits = limits;
    this.slotCheck = slotCheck;
    open();
  }

  void open() throws IOException {
    leases = org.cairnfs.storage.lease.LeaseDbWithCommitFaults.open(dbDir.resolve("leases.db"),
        clock, LEASE, () -> failLeaseCommits);
    store = ShareStore.open(storageDir, limits, leases, () -> freeBytes, slotCheck, dirSyncer);
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

  /** What shares of these sizes are charged together ({@link ShareCharge}). */
  static long charged(long... sizes) {
    long sum = 0;
    for (long size : sizes) {
      sum += ShareCharge.of(size);
    }
    return sum;
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
