package org.cairnfs.protocol.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WriteChunk;

/** A small, real in-memory storage backend for protocol tests (not a mock). */
public final class MemoryStorageBackend implements StorageBackend {
  private final long maxShareSize;
  private long freeSpace;
  private final Map<String, byte[]> incoming = new HashMap<>();
  private final Map<String, byte[]> complete = new HashMap<>();
  private final Map<String, byte[]> slots = new HashMap<>();
  public volatile int closedConnections;
  /**
   * When set, a close seals its share (no more writes) and then waits until the test commits
   * or fails it ({@link #held}), as a store's group commit would.
   */
  public volatile boolean holdCommits;
  /** Closes sealed and waiting for their commit, in the order they were sealed. */
  public final List<HeldClose> held = new CopyOnWriteArrayList<>();

  /** A sealed share waiting for the test to commit it. */
  public final class HeldClose {
    private final String key;
    private final byte[] data;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    private HeldClose(String key, byte[] data) {
      this.key = key;
      this.data = data;
    }

    /** The share becomes complete and the close is answered. */
    public void commit() {
      synchronized (MemoryStorageBackend.this) {
        complete.put(key, data);
      }
      held.remove(this);
      done.complete(null);
    }

    /** The close fails with {@code why}; the share is dropped. */
    public void fail(Throwable why) {
      synchronized (MemoryStorageBackend.this) {
        freeSpace += data.length;
      }
      held.remove(this);
      done.completeExceptionally(why);
    }
  }

  public MemoryStorageBackend(long freeSpace, long maxShareSize) {
    this.freeSpace = freeSpace;
    this.maxShareSize = maxShareSize;
  }

  private static String key(StorageIndex si, int share) {
    return si + "/" + share;
  }

  @Override
  public synchronized StorageStatus status(Caller caller) {
    return new StorageStatus("memory-test", freeSpace, maxShareSize);
  }

  @Override
  public synchronized Set<Integer> shareNumbers(Caller caller, StorageIndex index) {
    Set<Integer> out = new TreeSet<>();
    for (int s = 0; s < 256; s++) {
      if (complete.containsKey(key(index, s))) {
        out.add(s);
      }
    }
    return out;
  }

  @Override
  public synchronized Response.Allocated allocate(Caller caller, Request.Allocate r) throws StorageException {
    if (r.shareSize() > maxShareSize) {
      throw new StorageException(ErrorCode.SHARE_TOO_BIG, "share of " + r.shareSize() + " bytes > " + maxShareSize);
    }
    Set<Integer> have = shareNumbers(caller, r.index());
    Set<Integer> todo = new TreeSet<>(r.shareNumbers());
    todo.removeAll(have);
    if (todo.size() * r.shareSize() > freeSpace) {
      throw new StorageException(ErrorCode.SERVER_FULL, "need " + todo.size() * r.shareSize() + ", have " + freeSpace);
    }
    for (int s : todo) {
      incoming.put(key(r.index(), s), new byte[(int) r.shareSize()]);
      freeSpace -= r.shareSize();
    }
    Set<Integer> already = new TreeSet<>(r.shareNumbers());
    already.retainAll(have);
    return new Response.Allocated(todo, already);
  }

  @Override
  public synchronized void writeChunk(Caller caller, WriteChunk w) throws StorageException {
    byte[] share = incoming.get(key(w.index(), w.share()));
    if (share == null) {
      throw new StorageException(ErrorCode.NOT_FOUND, "share " + w.share() + " not allocated");
    }
    if (w.offset() + w.length() > share.length) {
      throw new StorageException(ErrorCode.BAD_REQUEST, "write past the share end");
    }
    System.arraycopy(w.data(), 0, share, (int) w.offset(), w.length());
  }

  @Override
  public void closeShare(Caller caller, StorageIndex index, int share) throws StorageException {
    if (!holdCommits) {
      synchronized (this) {
        complete.put(key(index, share), sealed(index, share));
      }
      return;
    }
    try {
      // Bounded only so that a handler that wrongly blocks here fails its test, not hangs it.
      closeShareAsync(caller, index, share).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StorageException refused) {
        throw refused;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new IllegalStateException("the close was not committed", e);
    }
  }

  @Override
  public CompletableFuture<Void> closeShareAsync(Caller caller, StorageIndex index, int share)
      throws StorageException {
    if (!holdCommits) {
      return StorageBackend.super.closeShareAsync(caller, index, share);
    }
    HeldClose close;
    synchronized (this) {
      close = new HeldClose(key(index, share), sealed(index, share));
    }
    held.add(close);
    return close.done;
  }

  /** Takes the upload out of the writable ones; NOT_FOUND if there is none. */
  private byte[] sealed(StorageIndex index, int share) throws StorageException {
    byte[] data = incoming.remove(key(index, share));
    if (data == null) {
      throw new StorageException(ErrorCode.NOT_FOUND, "share " + share + " not allocated");
    }
    return data;
  }

  @Override
  public synchronized void abortShare(Caller caller, StorageIndex index, int share) {
    byte[] data = incoming.remove(key(index, share));
    if (data != null) {
      freeSpace += data.length;
    }
  }

  @Override
  public synchronized byte[] readRange(Caller caller, Request.ReadRange r) throws StorageException {
    byte[] share = complete.get(key(r.index(), r.share()));
    if (share == null) {
      throw new StorageException(ErrorCode.NOT_FOUND, "no share " + r.share() + " of " + r.index());
    }
    int from = (int) Math.min(share.length, r.offset());
    int to = (int) Math.min(share.length, r.offset() + r.length());
    return java.util.Arrays.copyOfRange(share, from, to);
  }

  /** When set, reads answer from direct buffers the answer owns, kept in {@link #handedOut}. */
  public volatile boolean ownedReads;
  public final List<io.netty.buffer.ByteBuf> handedOut = new CopyOnWriteArrayList<>();

  @Override
  public Response.Data readRangeData(Caller caller, Request.ReadRange r) throws StorageException {
    byte[] bytes = readRange(caller, r);
    if (!ownedReads) {
      return Response.Data.wrapping(bytes);
    }
    io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.directBuffer(bytes.length)
        .writeBytes(bytes);
    handedOut.add(b);
    return Response.Data.owning(b);
  }

  @Override
  public synchronized List<Response.ShareSize> listShares(Caller caller, StorageIndex index) {
    List<Response.ShareSize> out = new ArrayList<>();
    for (int s : shareNumbers(caller, index)) {
      out.add(new Response.ShareSize(s, complete.get(key(index, s)).length));
    }
    return out;
  }

  @Override
  public synchronized List<Response.SlotShare> readSlot(Caller caller, Request.ReadSlot r) {
    List<Response.SlotShare> out = new ArrayList<>();
    for (int s = 0; s < 256; s++) {
      byte[] share = slots.get(key(r.index(), s));
      if (share != null && (r.shares().isEmpty() || r.shares().contains(s))) {
        int from = (int) Math.min(share.length, r.offset());
        int to = (int) Math.min(share.length, r.offset() + r.length());
        out.add(new Response.SlotShare(s, share.length > 0 ? share[0] & 0xFF : 0,
            java.util.Arrays.copyOfRange(share, from, to)));
      }
    }
    return out;
  }

  @Override
  public synchronized void writeSlotShare(Caller caller, Request.WriteSlotShare w) throws StorageException {
    String k = "slot:" + key(w.index(), w.share());
    byte[] staged = w.offset() == 0 ? new byte[(int) w.totalSize()] : incoming.get(k);
    if (staged == null || staged.length != w.totalSize()) {
      throw new StorageException(ErrorCode.BAD_REQUEST, "chunks out of order");
    }
    System.arraycopy(w.data(), 0, staged, (int) w.offset(), w.length());
    incoming.put(k, staged);
    if (w.isLast()) {
      incoming.remove(k);
      // The "keyless check" of this toy: the first byte (seqnum) must grow.
      byte[] old = slots.get(key(w.index(), w.share()));
      if (old != null && old.length > 0 && staged.length > 0 && (staged[0] & 0xFF) <= (old[0] & 0xFF)) {
        throw new StorageException(ErrorCode.REJECTED, "seqnum does not grow");
      }
      slots.put(key(w.index(), w.share()), staged);
    }
  }

  @Override
  public synchronized void addLease(Caller caller, Request.AddLease r) throws StorageException {
    if (shareNumbers(caller, r.index()).isEmpty()) {
      throw new StorageException(ErrorCode.NOT_FOUND, "no shares of " + r.index());
    }
  }

  @Override
  public synchronized void renewLease(Caller caller, Request.RenewLease r) throws StorageException {
    throw new StorageException(ErrorCode.NOT_FOUND, "no lease with that renew secret");
  }

  @Override
  public void connectionClosed(Caller caller) {
    closedConnections++;
  }
}
