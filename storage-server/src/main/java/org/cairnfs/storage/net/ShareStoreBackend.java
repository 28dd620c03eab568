package org.cairnfs.storage.net;

import static org.cairnfs.storage.net.StoreErrorMapping.call;
import static org.cairnfs.storage.net.StoreErrorMapping.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WriteChunk;
import org.cairnfs.protocol.server.Caller;
import org.cairnfs.protocol.server.PeerAddresses;
import org.cairnfs.protocol.server.StorageBackend;
import org.cairnfs.protocol.server.StorageException;
import org.cairnfs.protocol.server.StorageStatus;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.LeaseSecrets;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.share.ShareKind;
import org.cairnfs.storage.store.Allocation;
import org.cairnfs.storage.store.LeaseWrites;
import org.cairnfs.storage.store.PendingAllocation;
import org.cairnfs.storage.store.ShareStore;
import org.cairnfs.storage.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves protocol requests from a {@link ShareStore}.
 *
 * <p>Why it exists: the store speaks in its own terms (owners, typed refusals, IOExceptions);
 * this class maps each request onto it, maps every refusal to the protocol's error code with
 * the store's message ({@link StoreErrorMapping}), and has each connection claim the uploads
 * and slot writes it opens ({@link OpenWriteClaims}), so that the open-write caps hold and a
 * dropped connection frees its reservations. Slot requests are served by {@link SlotRequests}.
 * The protocol runs it on its backend executor, never on an event loop, so disk work here is
 * fine. Disk failures surface as INTERNAL errors.
 *
 * <p>A close does not hold its stripe while its group commit runs, so closes of indexes that
 * share a stripe are committed together too; and it waits for that commit asynchronously
 * ({@link #closeShareAsync}), so it holds no backend thread and none of its connection's
 * running places meanwhile.
 */
public final class ShareStoreBackend implements StorageBackend {
  /** Reported to clients as the software version. */
  public static final String VERSION = "cairn-storage/0.1.0";

  private static final Logger log = LoggerFactory.getLogger(ShareStoreBackend.class);

  private final ShareStore store;
  private final OpenWriteClaims claims;
  private final SlotRequests slots;
  private final io.netty.buffer.ByteBufAllocator readBuffers;
  private final LeaseWriteBudget leaseWrites;

  public ShareStoreBackend(ShareStore store) {
    this(store, io.netty.buffer.PooledByteBufAllocator.DEFAULT);
  }

  /** With the allocator reads take their buffers from (tests watch what they give back). */
  ShareStoreBackend(ShareStore store, io.netty.buffer.ByteBufAllocator readBuffers) {
    this(store, readBuffers, LeaseWriteBudget.standard());
  }

  /** With the lease-record budget each address gets (tests). */
  ShareStoreBackend(ShareStore store, LeaseWriteBudget leaseWrites) {
    this(store, io.netty.buffer.PooledByteBufAllocator.DEFAULT, leaseWrites);
  }

  private ShareStoreBackend(ShareStore store, io.netty.buffer.ByteBufAllocator readBuffers,
      LeaseWriteBudget leaseWrites) {
    this.store = store;
    this.readBuffers = readBuffers;
    this.leaseWrites = leaseWrites;
    this.claims = new OpenWriteClaims(store);
    this.slots = new SlotRequests(store, claims);
  }

  @Override
  public StorageStatus status(Caller caller) {
    return io(() -> new StorageStatus(VERSION, store.freeBytes(), store.limits().maxShareSize()));
  }

  @Override
  public Set<Integer> shareNumbers(Caller caller, StorageIndex index) {
    return io(() -> Set.copyOf(store.heldShares(index)));
  }

  @Override
  public Response.Allocated allocate(Caller caller, Request.Allocate request)
      throws StorageException {
    LeaseOwner owner = owner(caller);
    LeaseSecrets secrets = LeaseSecrets.of(request.renewSecret(), request.cancelSecret());
    // Held shares named here are leased as by ADD_LEASE, so that takes an advance and is
    // refused alike in debt; uploads of new shares are not.
    Object address = accountOf(caller);
    Set<Integer> heldNamed = new HashSet<>(io(() -> store.heldShares(request.index())));
    heldNamed.retainAll(request.shareNumbers());
    long advance = (long) heldNamed.size() * LeaseDb.MAX_RECORD_BYTES;
    if (advance > 0) {
      leaseWrites.reserve(address, advance);
    }
    long written = 0;
    try {
      List<OpenWrite> wanted = uploads(owner, request.index(), request.shareNumbers());
      PendingAllocation pending = null;
      synchronized (claims.stripe(request.index())) {
        OpenWriteClaims.Reservation held = claims.reserve(caller, wanted, true);
        try {
          pending = call(() -> store.allocatePending(request.index(), request.shareNumbers(),
              request.shareSize(), owner, secrets, address));
        } finally {
          claims.release(held, pending == null ? List.of()
              : uploads(owner, request.index(), pending.allocation().allocated()));
        }
      }
      // The held shares' leases are committed (a log sync) outside the claims stripe, which
      // every ALLOCATE, CLOSE_SHARE, ABORT_SHARE and slot write of the stripe's indexes needs.
      // A failed commit drops what this allocation opened; its claims are pruned as for
      // expired writes.
      PendingAllocation done = pending;
      written = done.leaseRecordBytes();
      call(() -> {
        done.awaitDurable();
        return null;
      });
      Allocation a = pending.allocation();
      return new Response.Allocated(a.allocated(), a.alreadyHeld());
    } finally {
      // a refused allocation leased nothing (the store leases last)
      leaseWrites.settle(address, advance, written);
    }
  }

  private static List<OpenWrite> uploads(LeaseOwner owner, StorageIndex index,
      Set<Integer> shares) {
    List<OpenWrite> out = new ArrayList<>(shares.size());
    for (int n : shares) {
      out.add(new OpenWrite(owner, index, n, false));
    }
    return out;
  }

  @Override
  public void writeChunk(Caller caller, WriteChunk request) throws StorageException {
    call(() -> {
      store.write(owner(caller), request.index(), request.share(), request.offset(),
          request.view());
      return null;
    });
  }

  @Override
  public void closeShare(Caller caller, StorageIndex index, int share) throws StorageException {
    try {
      closeShareAsync(caller, index, share).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof StorageException refused) {
        throw refused;
      }
      if (e.getCause() instanceof RuntimeException failed) {
        throw failed;
      }
      throw e;
    }
  }

  /**
   * Seals the upload under its stripe (an incomplete or unknown one is refused here) and hands
   * it to the store's group commit. The returned future completes after the commit, once the
   * connection no longer claims the share, so an answered close no longer counts against the
   * open-write caps; until then the share still counts in them (the store keeps it open while
   * it commits), which bounds the closes a connection can have waiting.
   */
  @Override
  public CompletableFuture<Void> closeShareAsync(Caller caller, StorageIndex index, int share)
      throws StorageException {
    LeaseOwner owner = owner(caller);
    OpenWrite upload = new OpenWrite(owner, index, share, false);
    CompletableFuture<Void> committed;
    Long holder;
    synchronized (claims.stripe(index)) {
      committed = call(() -> store.closeAsync(owner, index, share));
      holder = claims.claimant(upload);
    }
    CompletableFuture<Void> answered = new CompletableFuture<>();
    committed.whenComplete((ignored, failure) -> {
      // Only the claim seen at sealing, even if the commit failed.
      claims.unclaim(upload, holder);
      try {
        call(() -> {
          // Done already: returns, or throws the close's failure as the store reports it.
          ShareStore.awaitClose(committed, "closing " + index + " share " + share);
          return null;
        });
        answered.complete(null);
      } catch (StorageException | RuntimeException e) {
        answered.completeExceptionally(e);
      }
    });
    return answered;
  }

  @Override
  public void abortShare(Caller caller, StorageIndex index, int share) throws StorageException {
    LeaseOwner owner = owner(caller);
    synchronized (claims.stripe(index)) {
      try {
        call(() -> {
          store.abort(owner, index, share);
          return null;
        });
      } finally {
        claims.unclaim(new OpenWrite(owner, index, share, false));
      }
    }
  }

  @Override
  public byte[] readRange(Caller caller, Request.ReadRange request) throws StorageException {
    return call(() -> store.read(ShareKey.immutable(request.index(), request.share()),
        request.offset(), request.length()));
  }

  /**
   * Reads into a pooled direct buffer the answer owns: no heap array to zero, no copy through
   * the JDK's temporary buffer, and the frame encoder sends it without copying it again.
   */
  @Override
  public Response.Data readRangeData(Caller caller, Request.ReadRange request)
      throws StorageException {
    io.netty.buffer.ByteBuf[] buf = {null};
    try {
      int n = call(() -> store.read(ShareKey.immutable(request.index(), request.share()),
          request.offset(), request.length(), size -> {
            buf[0] = readBuffers.directBuffer(size, size);
            return buf[0].nioBuffer(0, size);
          }));
      io.netty.buffer.ByteBuf read = buf[0].writerIndex(n);
      buf[0] = null;
      return Response.Data.owning(read); // releases it itself if it refuses it
    } finally {
      if (buf[0] != null) {
        buf[0].release();
      }
    }
  }

  @Override
  public List<Response.ShareSize> listShares(Caller caller, StorageIndex index) {
    return io(() -> {
      List<Response.ShareSize> out = new ArrayList<>();
      store.shareSizes(index, ShareKind.IMMUTABLE)
          .forEach((n, size) -> out.add(new Response.ShareSize(n, size)));
      return out;
    });
  }

  @Override
  public List<Response.SlotShare> readSlot(Caller caller, Request.ReadSlot request)
      throws StorageException {
    return slots.read(request);
  }

  @Override
  public void writeSlotShare(Caller caller, Request.WriteSlotShare request)
      throws StorageException {
    slots.write(caller, request);
  }

  @Override
  public void addLease(Caller caller, Request.AddLease request) throws StorageException {
    LeaseSecrets secrets = LeaseSecrets.of(request.renewSecret(), request.cancelSecret());
    charged(caller, request.index(),
        () -> store.addLease(request.index(), owner(caller), secrets));
  }

  @Override
  public void renewLease(Caller caller, Request.RenewLease request) throws StorageException {
    charged(caller, request.index(), () -> store.renewLease(request.index(),
        request.renewSecret()));
  }

  /**
   * Runs a lease request charged to its address ({@link LeaseWriteBudget}): an advance of a
   * full record per share of the index, settled to what it wrote. One refused as NOT_FOUND
   * wrote nothing; one that failed otherwise keeps its advance (it may have written).
   */
  private void charged(Caller caller, StorageIndex index,
      StoreErrorMapping.StoreCall<LeaseWrites> leasing) throws StorageException {
    Object address = accountOf(caller);
    long advance = (long) io(() -> store.shareCount(index)) * LeaseDb.MAX_RECORD_BYTES;
    leaseWrites.reserve(address, advance);
    long written = advance;
    try {
      written = call(leasing).recordBytes();
    } catch (StorageException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        written = 0;
      }
      throw e;
    } finally {
      leaseWrites.settle(address, advance, written);
    }
  }

  /**
   * Whom lease-record writes and disk reservations are charged to: the address, an IPv6 /48 as
   * one.
   */
  static Object accountOf(Caller caller) {
    return PeerAddresses.widePrefixKey(caller.remoteAddress());
  }

  @Override
  public void connectionClosed(Caller caller) {
    claims.dropConnection(caller.connectionId(), w -> {
      try {
        if (w.slot()) {
          store.abortSlotWrite(w.owner(), w.index(), w.share());
        } else {
          store.abort(w.owner(), w.index(), w.share());
        }
      } catch (StoreException e) {
        // already closed or aborted
      } catch (IOException e) {
        log.warn("could not abort {} share {} of {} after connection {} closed", w.slot()
            ? "slot" : "immutable", w.share(), w.index(), caller, e);
      }
    });
  }

  /** Claims pinned by allocations under way that restart them (tests: none once they end). */
  int restartsUnderWay() {
    return claims.restartsUnderWay();
  }

  /** The open-write count of each peer address that holds any (a copy; for tests). */
  Map<Object, Integer> openWritesByAddress() {
    return claims.openWritesByAddress();
  }

  /** The lease owner a caller's uploads and slot writes are kept under: its node. */
  static LeaseOwner owner(Caller caller) {
    return LeaseOwner.of(caller.nodeId().toBytes());
  }
}
