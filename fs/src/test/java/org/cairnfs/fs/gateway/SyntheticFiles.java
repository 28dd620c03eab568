package org.cairnfs.fs.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.FileWrite;
import org.cairnfs.fs.mount.GridSpace;
import org.cairnfs.fs.mount.MemoryGrid;
import org.cairnfs.fs.mount.RemoteEntry;

/**
 * A MemoryGrid plus one huge synthetic file (its bytes computed from the offset, never stored)
 * and an upload that can be held: for tests of bounded memory both ways. Counts the bytes the
 * gateway pulled from the file and pushed into uploads.
 */
final class SyntheticFiles implements GridFileSystem {
  final MemoryGrid grid;
  final String hugeCap;
  final long hugeSize;
  final AtomicLong pulled = new AtomicLong();
  final AtomicLong uploaded = new AtomicLong();
  volatile CountDownLatch uploadGate = new CountDownLatch(0);
  /** Where the huge file's streams end, as a damaged grid might: its size still says more. */
  volatile long truncateAt = Long.MAX_VALUE;
  /** Where reads of the huge file's streams fail, as a grid failing mid-stream would. */
  volatile long failAt = Long.MAX_VALUE;
  /** Thrown by {@link #writeFile} at once, as a grid refusing a write before it starts. */
  volatile RuntimeException writeFileFailure;
  /** Each open of the huge file waits for it, deaf to interrupts (a grid call that is). */
  volatile CountDownLatch openGate = new CountDownLatch(0);
  /** Released once per open of the huge file, before it waits at {@link #openGate}. */
  final java.util.concurrent.Semaphore opens = new java.util.concurrent.Semaphore(0);
  /** Each batch of changes waits for it; the batches waiting now, and the most at once. */
  volatile CountDownLatch applyGate = new CountDownLatch(0);
  final java.util.concurrent.atomic.AtomicInteger applying =
      new java.util.concurrent.atomic.AtomicInteger();
  final java.util.concurrent.atomic.AtomicInteger mostApplying =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Each listing waits for it; the listings waiting now, and the most at once. */
  volatile CountDownLatch listGate = new CountDownLatch(0);
  final java.util.concurrent.atomic.AtomicInteger listing =
      new java.util.concurrent.atomic.AtomicInteger();
  final java.util.concurrent.atomic.AtomicInteger mostListing =
      new java.util.concurrent.atomic.AtomicInteger();

  SyntheticFiles(MemoryGrid grid, long hugeSize) {
    this.grid = grid;
    this.hugeSize = hugeSize;
    this.hugeCap = new ImmutableReadCap(new byte[32], new byte[32], 3, 10, hugeSize).toString();
  }

  /** The byte at {@code offset} of the huge file. */
  static byte byteAt(long offset) {
    return (byte) (offset * 31 + (offset >>> 13));
  }

  @Override
  public InputStream open(String cap, long offset, long length) {
    if (!cap.equals(hugeCap)) {
      return grid.open(cap, offset, length);
    }
    opens.release();
    boolean interrupted = false;
    while (true) {
      try {
        openGate.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    long end = Math.min(Math.min(hugeSize, truncateAt), offset + length);
    return new InputStream() {
      long at = offset;

      @Override
      public int read() {
        if (at >= end) {
          return -1;
        }
        pulled.incrementAndGet();
        return byteAt(at++) & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (at >= end) {
          return -1;
        }
        if (at >= failAt) {
          throw new IOException("injected read failure at byte " + at);
        }
        len = (int) Math.min(len, failAt - at); // up to the failure, not past it
        int n = (int) Math.min(len, end - at);
        for (int i = 0; i < n; i++) {
          b[off + i] = byteAt(at + i);
        }
        at += n;
        pulled.addAndGet(n);
        return n;
      }
    };
  }

  @Override
  public CompletableFuture<String> upload(InputStream in) throws IOException {
    try {
      uploadGate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    byte[] buf = new byte[65536];
    int n;
    while ((n = in.read(buf)) >= 0) {
      uploaded.addAndGet(n);
    }
    return grid.upload(InputStream.nullInputStream());
  }

  @Override
  public CompletableFuture<List<RemoteEntry>> list(String directoryCap) {
    mostListing.accumulateAndGet(listing.incrementAndGet(), Math::max);
    try {
      listGate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(e);
    } finally {
      listing.decrementAndGet();
    }
    return grid.list(directoryCap);
  }

  @Override
  public CompletableFuture<byte[]> read(String fileCap, long offset, int length) {
    return grid.read(fileCap, offset, length);
  }

  @Override
  public CompletableFuture<String> writeFile(FileWrite write) {
    RuntimeException failure = writeFileFailure;
    if (failure != null) {
      throw failure;
    }
    return grid.writeFile(write);
  }

  @Override
  public CompletableFuture<String> createDirectory() {
    return grid.createDirectory();
  }

  @Override
  public CompletableFuture<List<EntryChange.Outcome>> applyChanges(String directoryCap,
      List<EntryChange> changes) {
    mostApplying.accumulateAndGet(applying.incrementAndGet(), Math::max);
    try {
      applyGate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(e);
    } finally {
      applying.decrementAndGet();
    }
    return grid.applyChanges(directoryCap, changes);
  }

  @Override
  public CompletableFuture<GridSpace> space() {
    return grid.space();
  }

  @Override
  public boolean keepsUserXattrs() {
    return grid.keepsUserXattrs();
  }

  @Override
  public CompletableFuture<Optional<RemoteEntry>> lookup(String directoryCap, String name) {
    return grid.lookup(directoryCap, name);
  }
}
