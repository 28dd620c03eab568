package org.cairnfs.bench.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.LeaseSecrets;
import org.cairnfs.storage.store.FreeSpace;
import org.cairnfs.storage.store.ShareStore;
import org.cairnfs.storage.store.SlotWriteCheck;
import org.cairnfs.storage.store.StoreLimits;

/**
 * Closes per second of small immutable shares on a real disk, the way a storage server sees a
 * {@code cairn cp -r} of many small files: each closer allocates a share of {@code size}
 * bytes under a fresh storage index, writes it in one chunk and closes it (fsync of the file,
 * rename into place, directory sync, lease database commit), in a loop for {@code seconds}.
 *
 * <p>Run: {@code bench/run-share-close.sh} or
 * {@code java -cp 'bench/target/classes:bench/target/lib/*'
 * org.cairnfs.bench.storage.ShareCloseThroughput DIR CLOSERS [SECONDS] [SIZE]}; prints one line:
 * closers, closes/s, mean close latency in ms.
 */
public final class ShareCloseThroughput {
  private ShareCloseThroughput() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int closers = Integer.parseInt(args[1]);
    double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 5;
    int size = args.length > 3 ? Integer.parseInt(args[3]) : 4096;
    Files.createDirectories(dir);
    LeaseDb leases = LeaseDb.open(dir.resolve("leases.db"), Clock.systemUTC(), Duration.ofDays(31));
    ShareStore store = ShareStore.open(dir.resolve("storage"), StoreLimits.unlimited(), leases,
        FreeSpace.of(dir), SlotWriteCheck.KEYLESS);
    AtomicLong closes = new AtomicLong();
    AtomicLong closeNanos = new AtomicLong();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    CountDownLatch done = new CountDownLatch(closers);
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < closers; t++) {
      int id = t;
      Thread th = new Thread(() -> {
        try {
          run(store, id, size, end, closes, closeNanos);
        } catch (Throwable e) {
          failures.add(e);
        } finally {
          done.countDown();
        }
      }, "closer-" + t);
      threads.add(th);
      th.start();
    }
    done.await();
    double elapsed = (System.nanoTime() - start) / 1e9;
    store.close();
    leases.close();
    if (!failures.isEmpty()) {
      throw new IllegalStateException("a closer failed", failures.get(0));
    }
    System.out.printf(Locale.ROOT, "%d closers: %.0f closes/s, mean close %.2f ms%n", closers,
        closes.get() / elapsed, closeNanos.get() / 1e6 / Math.max(1, closes.get()));
  }

  private static void run(ShareStore store, int id, int size, long end, AtomicLong closes,
      AtomicLong closeNanos) throws IOException, org.cairnfs.storage.store.StoreException {
    SplittableRandom random = new SplittableRandom(id);
    byte[] ownerId = new byte[32];
    random.nextBytes(ownerId);
    LeaseOwner owner = LeaseOwner.of(ownerId);
    byte[] renew = new byte[32];
    byte[] cancel = new byte[32];
    random.nextBytes(renew);
    random.nextBytes(cancel);
    LeaseSecrets secrets = LeaseSecrets.of(renew, cancel);
    byte[] data = new byte[size];
    random.nextBytes(data);
    byte[] si = new byte[16];
    while (System.nanoTime() < end) {
      random.nextBytes(si);
      StorageIndex index = StorageIndex.of(si);
      store.allocate(index, List.of(0), size, owner, secrets);
      store.write(owner, index, 0, 0, ByteBuffer.wrap(data));
      long t0 = System.nanoTime();
      store.close(owner, index, 0);
      closeNanos.addAndGet(System.nanoTime() - t0);
      closes.incrementAndGet();
    }
  }
}
