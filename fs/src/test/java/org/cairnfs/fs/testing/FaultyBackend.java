package org.cairnfs.fs.testing;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WriteChunk;
import org.cairnfs.protocol.server.Caller;
import org.cairnfs.protocol.server.StorageBackend;
import org.cairnfs.protocol.server.StorageException;
import org.cairnfs.protocol.server.StorageStatus;

/**
 * A real storage backend with switchable faults in front, for tests of how the client copes:
 * fail requests, hang them (as a server stuck on its disk does), answer short or late, refuse
 * space, or run a hook on a given write (to kill the server mid-upload). Counts the bytes it
 * received and the requests of some kinds.
 */
public final class FaultyBackend implements StorageBackend {
  private final StorageBackend real;
  private volatile boolean failWrites;
  private volatile boolean failReads;
  private volatile boolean hang;
  private volatile int hookAtWrite = -1;
  private volatile long listDelayMillis;
  private volatile long slowMillis;
  private volatile IntConsumer hook = w -> { };
  private volatile int frontCut = -1;
  private volatile boolean full;
  private volatile boolean failCloses;
  private volatile long leaseDelayMillis;
  private volatile boolean failLeases;
  private volatile boolean hideSharesAfterLease;
  private volatile boolean holdListing;
  private volatile boolean failListings;
  private volatile boolean hideShares;
  private volatile boolean failAllocates;
  private volatile int padSlotTails;
  private volatile boolean emptySlotTails;
  private final java.util.concurrent.atomic.AtomicLong nextSlotWriteDelay =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicReference<Runnable> beforeSlotTail =
      new java.util.concurrent.atomic.AtomicReference<>();
  private final AtomicInteger listings = new AtomicInteger();
  private final AtomicInteger writes = new AtomicInteger();
  private final AtomicLong bytesReceived = new AtomicLong();
  private final AtomicInteger reads = new AtomicInteger();
  private final List<Request.ReadRange> readRanges =
      java.util.Collections.synchronizedList(new java.util.ArrayList<>());
  private final CountDownLatch released = new CountDownLatch(1);

  public FaultyBackend(StorageBackend real) {
    this.real = real;
  }

  /** Every WriteChunk and WriteSlotShare fails with INTERNAL. */
  public void failWrites(boolean on) {
    failWrites = on;
  }

  /** Every ReadRange and ReadSlot fails with INTERNAL. */
  public void failReads(boolean on) {
    failReads = on;
  }

  /** Data requests (writes, reads, allocate) block until the test ends: a stuck server. */
  public void hang(boolean on) {
    hang = on;
  }

  /**
   * Every data request (listing, allocate, writes, reads, closes) answers only after this
   * delay: a server that connects at once and then answers late (0: off).
   */
  public void slow(long millis) {
    slowMillis = millis;
  }

  /** GetShareNumbers answers only after this delay: a slow (but working) server. */
  public void delayListing(long millis) {
    listDelayMillis = millis;
  }

  /** ReadRange at offset 0 answers at most {@code bytes} bytes (-1: whole): a short front. */
  public void cutFront(int bytes) {
    frontCut = bytes;
  }

  /** Every Allocate is refused with SERVER_FULL: a server out of space. */
  public void full(boolean on) {
    full = on;
  }

  /** Every CloseShare fails with INTERNAL (the share stays open). */
  public void failCloses(boolean on) {
    failCloses = on;
  }

  /** AddLease answers only after this delay. */
  public void delayLeases(long millis) {
    leaseDelayMillis = millis;
  }

  /** AddLease fails with NOT_FOUND, as when the share was deleted since it was listed. */
  public void failLeases(boolean on) {
    failLeases = on;
  }

  /**
   * A successful AddLease hides this server's shares from later listings, as when the shares
   * found were deleted before the lease and a share written since took it.
   */
  public void hideSharesAfterLease(boolean on) {
    hideSharesAfterLease = on;
  }

  /** GetShareNumbers blocks until {@link #release()}: a server that does not answer. */
  public void holdListing(boolean on) {
    holdListing = on;
  }

  /** Every GetShareNumbers fails with INTERNAL: a server that cannot say what it holds. */
  public void failListings(boolean on) {
    failListings = on;
  }

  /**
   * GetShareNumbers answers that nothing is held, whatever is: as when another uploader's
   * shares were closed here just after the listing.
   */
  public void hideShares(boolean on) {
    hideShares = on;
  }

  /** Every Allocate fails with INTERNAL (not a lack of space). */
  public void failAllocates(boolean on) {
    failAllocates = on;
  }

  /**
   * Every ReadSlot past offset 0 for less than one chunk (the last piece of a large share)
   * answers {@code bytes} more than asked, zeros appended: a server that lies about how long a
   * share is. 0: off.
   */
  public void padSlotTails(int bytes) {
    padSlotTails = bytes;
  }

  /** Runs {@code once} before the next ReadSlot past offset 0 is answered (then forgets it). */
  public void beforeSlotTail(Runnable once) {
    beforeSlotTail.set(once);
  }

  /**
   * Every ReadSlot past offset 0 answers no share at all: a server that lost the share between
   * a reader's map of the slot and its read of the rest.
   */
  public void emptySlotTails(boolean on) {
    emptySlotTails = on;
  }

  /** Answers the next WriteSlotShare only after {@code millis} (once). */
  public void delayNextSlotWrite(long millis) {
    nextSlotWriteDelay.set(millis);
  }

  /** Runs {@code action} (with the write count) when the {@code n}-th write chunk arrives. */
  public void atWrite(int n, IntConsumer action) {
    hook = action;
    hookAtWrite = n;
  }

  public int writes() {
    return writes.get();
  }

  /** GetShareNumbers requests received. */
  public int listings() {
    return listings.get();
  }

  public int reads() {
    return reads.get();
  }

  /** Every ReadRange received so far, in the order the backend took them up. */
  public List<Request.ReadRange> readRanges() {
    synchronized (readRanges) {
      return List.copyOf(readRanges);
    }
  }

  public long bytesReceived() {
    return bytesReceived.get();
  }

  /** Lets hung requests go (the test is over). */
  public void release() {
    released.countDown();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void maybeHang() {
    if (slowMillis > 0) {
      sleep(slowMillis);
    }
    if (hang) {
      try {
        released.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public StorageStatus status(Caller caller) throws StorageException {
    return real.status(caller);
  }

  @Override
  public Set<Integer> shareNumbers(Caller caller, StorageIndex index) throws StorageException {
    listings.incrementAndGet();
    if (slowMillis > 0) {
      sleep(slowMillis);
    }
    if (holdListing) {
      try {
        released.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (listDelayMillis > 0) {
      sleep(listDelayMillis);
    }
    if (failListings) {
      throw new StorageException(ErrorCode.INTERNAL, "injected listing failure");
    }
    Set<Integer> held = real.shareNumbers(caller, index);
    return hideShares ? Set.of() : held;
  }

  @Override
  public Response.Allocated allocate(Caller caller, Request.Allocate request)
      throws StorageException {
    maybeHang();
    if (full) {
      throw new StorageException(ErrorCode.SERVER_FULL, "injected: no space left");
    }
    if (failAllocates) {
      throw new StorageException(ErrorCode.INTERNAL, "injected allocate failure");
    }
    return real.allocate(caller, request);
  }

  @Override
  public void writeChunk(Caller caller, WriteChunk request) throws StorageException {
    int n = writes.incrementAndGet();
    if (n == hookAtWrite) {
      hook.accept(n);
    }
    maybeHang();
    if (failWrites) {
      throw new StorageException(ErrorCode.INTERNAL, "injected write failure");
    }
    bytesReceived.addAndGet(request.length());
    real.writeChunk(caller, request);
  }

  @Override
  public void closeShare(Caller caller, StorageIndex index, int share) throws StorageException {
    if (slowMillis > 0) {
      sleep(slowMillis);
    }
    if (failCloses) {
      throw new StorageException(ErrorCode.INTERNAL, "injected close failure");
    }
    real.closeShare(caller, index, share);
  }

  @Override
  public void abortShare(Caller caller, StorageIndex index, int share) throws StorageException {
    real.abortShare(caller, index, share);
  }

  @Override
  public byte[] readRange(Caller caller, Request.ReadRange request) throws StorageException {
    reads.incrementAndGet();
    readRanges.add(request);
    maybeHang();
    if (failReads) {
      throw new StorageException(ErrorCode.INTERNAL, "injected read failure");
    }
    byte[] answer = real.readRange(caller, request);
    int cut = frontCut;
    if (cut >= 0 && request.offset() == 0 && answer.length > cut) {
      return java.util.Arrays.copyOf(answer, cut);
    }
    return answer;
  }

  @Override
  public List<Response.ShareSize> listShares(Caller caller, StorageIndex index)
      throws StorageException {
    return real.listShares(caller, index);
  }

  @Override
  public List<Response.SlotShare> readSlot(Caller caller, Request.ReadSlot request)
      throws StorageException {
    reads.incrementAndGet();
    maybeHang();
    if (failReads) {
      throw new StorageException(ErrorCode.INTERNAL, "injected read failure");
    }
    Runnable hook = request.offset() > 0 ? beforeSlotTail.getAndSet(null) : null;
    if (hook != null) {
      hook.run();
    }
    if (emptySlotTails && request.offset() > 0) {
      return List.of();
    }
    List<Response.SlotShare> answer = real.readSlot(caller, request);
    int pad = padSlotTails;
    if (pad > 0 && request.offset() > 0
        && request.length() < org.cairnfs.protocol.message.WireLimits.MAX_CHUNK) {
      return answer.stream().map(s -> new Response.SlotShare(s.share(), s.seqnum(),
          java.util.Arrays.copyOf(s.data(), s.data().length + pad))).toList();
    }
    return answer;
  }

  @Override
  public void writeSlotShare(Caller caller, Request.WriteSlotShare request)
      throws StorageException {
    maybeHang();
    long delay = nextSlotWriteDelay.getAndSet(0);
    if (delay > 0) {
      sleep(delay);
    }
    if (failWrites) {
      throw new StorageException(ErrorCode.INTERNAL, "injected write failure");
    }
    bytesReceived.addAndGet(request.length());
    real.writeSlotShare(caller, request);
  }

  @Override
  public void addLease(Caller caller, Request.AddLease request) throws StorageException {
    if (leaseDelayMillis > 0) {
      sleep(leaseDelayMillis);
    }
    if (failLeases) {
      throw new StorageException(ErrorCode.NOT_FOUND, "no shares held (test fault)");
    }
    real.addLease(caller, request);
    if (hideSharesAfterLease) {
      hideShares = true;
    }
  }

  @Override
  public void renewLease(Caller caller, Request.RenewLease request) throws StorageException {
    real.renewLease(caller, request);
  }

  @Override
  public void connectionClosed(Caller caller) {
    real.connectionClosed(caller);
  }
}
