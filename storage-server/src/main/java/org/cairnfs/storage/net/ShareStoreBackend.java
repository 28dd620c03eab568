package org.cairnfs.storage.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WireLimits;
import org.cairnfs.protocol.server.Caller;
import org.cairnfs.protocol.server.StorageBackend;
import org.cairnfs.protocol.server.StorageException;
import org.cairnfs.protocol.server.StorageStatus;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.LeaseSecrets;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.share.ShareKind;
import org.cairnfs.storage.store.Allocation;
import org.cairnfs.storage.store.ShareStore;
import org.cairnfs.storage.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves protocol requests from a {@link ShareStore}.
 *
 * <p>Why it exists: the store speaks in its own terms (owners, typed refusals, IOExceptions);
 * this class maps each request onto it, maps every refusal to the protocol's error code with
 * the store's message, and remembers which uploads each connection opened so that a dropped
 * connection frees its reservations. The store knows uploads by owner and share only, and two
 * connections of one node share an owner; so each open write is claimed by the connection
 * that last (re)started it, under a per-index lock, and a dropped connection aborts only what
 * it still claims. The protocol runs it on its backend executor, never on an
 * event loop, so disk work here is fine. Disk failures surface as INTERNAL errors.
 *
 * <p>One connection's requests for different storage indexes run concurrently, so the claim
 * bookkeeping and the open-write caps are kept under one short lock ({@code claims}, never
 * held across disk work, always taken after a per-index stripe, never before one), and a
 * request that may open writes reserves its places before the store call, so concurrent
 * allocations cannot pass a cap together. A close does not hold its stripe while its group
 * commit runs, so closes of indexes that share a stripe are committed together too; and it
 * waits for that commit asynchronously ({@link #closeShareAsync}), so it holds no backend
 * thread and none of its connection's running places meanwhile.
 */
public final class ShareStoreBackend implements StorageBackend {
  /** Reported to clients as the software version. */
  public static final String VERSION = "cairn-storage/0.1.0";

  private static final Logger log = LoggerFactory.getLogger(ShareStoreBackend.class);
  private static final int STRIPES = 64;

  private final ShareStore store;
  /** What each connection claims; the sets are also its per-connection open-write count. */
  private final Map<Long, Set<Upload>> openByConnection = new ConcurrentHashMap<>();
  /** Which connection claims each open write. */
  private final Map<Upload, Long> claimedBy = new ConcurrentHashMap<>();
  /** The peer address of each connection that claims writes, and the count per address. */
  private final Map<Long, Object> addressOf = new ConcurrentHashMap<>();
  private final Map<Object, Integer> openByAddress = new ConcurrentHashMap<>();
  /** Serialize claiming with the store call that (re)starts or ends the write. */
  private final Object[] stripes = new Object[STRIPES];
  /** Guards the claim maps, the per-address counts and the reservations below. */
  private final Object claims = new Object();
  /** Places taken by allocations and slot writes under way, per connection and per address. */
  private final Map<Long, Integer> reservedByConnection = new java.util.HashMap<>();
  private final Map<Object, Integer> reservedByAddress = new java.util.HashMap<>();
  /**
   * Claimed writes an allocation under way is restarting (counted as not adding): the store has
   * them closed for a moment, and a prune must not drop their claims then, or the restart's
   * re-claim would come on top of places another request was let in on. Under {@code claims}.
   */
  private final Map<Upload, Integer> restarting = new java.util.HashMap<>();

  private final io.netty.buffer.ByteBufAllocator readBuffers;

  /** One open immutable upload or staged slot write, as the store keys it. */
  private record Upload(LeaseOwner owner, StorageIndex index, int share, boolean slot) {}

  public ShareStoreBackend(ShareStore store) {
    this(store, io.netty.buffer.PooledByteBufAllocator.DEFAULT);
  }

  /** With the allocator reads take their buffers from (tests watch what they give back). */
  ShareStoreBackend(ShareStore store, io.netty.buffer.ByteBufAllocator readBuffers) {
    this.store = store;
    this.readBuffers = readBuffers;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
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
    List<Upload> restarts = new ArrayList<>();
    synchronized (stripe(request.index())) {
      int adding;
      synchronized (claims) {
        Set<Upload> mine = track(caller);
        for (int n : request.shareNumbers()) {
          Upload u = new Upload(owner, request.index(), n, false);
          if (mine.contains(u)) {
            restarts.add(u);
          }
        }
        adding = request.shareNumbers().size() - restarts.size();
        checkCaps(caller, mine, adding);
        reserve(caller, adding);
        restarts.forEach(u -> restarting.merge(u, 1, ShareStoreBackend::sumOrNull));
      }
      Allocation a = null;
      try {
        a = call(() -> store.allocate(request.index(), request.shareNumbers(),
            request.shareSize(), owner, secrets));
      } finally {
        synchronized (claims) {
          reserve(caller, -adding);
          restarts.forEach(u -> restarting.merge(u, -1, ShareStoreBackend::sumOrNull));
          if (a != null) {
            for (int n : a.allocated()) {
              claim(caller, new Upload(owner, request.index(), n, false));
            }
          }
        }
      }
      return new Response.Allocated(a.allocated(), a.alreadyHeld());
    }
  }

  @Override
  public void writeChunk(Caller caller, Request.WriteChunk request) throws StorageException {
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
    Upload upload = new Upload(owner, index, share, false);
    CompletableFuture<Void> committed;
    Long holder;
    synchronized (stripe(index)) {
      committed = call(() -> store.closeAsync(owner, index, share));
      holder = claimedBy.get(upload);
    }
    CompletableFuture<Void> answered = new CompletableFuture<>();
    committed.whenComplete((ignored, failure) -> {
      synchronized (claims) {
        // Only the claim seen at sealing: if the commit failed and another connection of this
        // node opened the share again meanwhile, that newer claim stays.
        if (holder != null && claimedBy.remove(upload, holder)) {
          forget(holder, upload);
        }
      }
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
    synchronized (stripe(index)) {
      try {
        call(() -> {
          store.abort(owner, index, share);
          return null;
        });
      } finally {
        unclaim(new Upload(owner, index, share, false));
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
    return call(() -> {
      Set<Integer> wanted = request.shares().isEmpty()
          ? store.shareSizes(request.index(), ShareKind.MUTABLE).keySet() : request.shares();
      List<Response.SlotShare> out = new ArrayList<>();
      long total = 0;
      for (int n : wanted) {
        ShareKey key = ShareKey.mutable(request.index(), n);
        byte[] data;
        try {
          data = store.read(key, request.offset(), request.length());
        } catch (StoreException e) {
          if (e.reason() == StoreException.Reason.NOT_FOUND) {
            continue;
          }
          throw e;
        }
        total += data.length;
        if (total > WireLimits.MAX_CHUNK) {
          throw new StoreException(StoreException.Reason.BAD_REQUEST, "reading " + request.length()
              + " bytes of " + wanted.size() + " shares exceeds " + WireLimits.MAX_CHUNK
              + " bytes; ask for fewer shares or a shorter range");
        }
        out.add(new Response.SlotShare(n, store.slotSeqnum(key).orElse(0), data));
      }
      return out;
    });
  }

  @Override
  public void writeSlotShare(Caller caller, Request.WriteSlotShare request)
      throws StorageException {
    LeaseOwner owner = owner(caller);
    Upload upload = new Upload(owner, request.index(), request.share(), true);
    if (request.offset() != 0 && !request.isLast()) {
      // A middle chunk neither starts nor ends the staged version: no claim changes.
      writeSlotChunk(request, owner);
      return;
    }
    synchronized (stripe(request.index())) {
      if (request.isLast()) {
        try {
          writeSlotChunk(request, owner);
        } finally {
          unclaim(upload);
        }
      } else {
        int adding;
        synchronized (claims) {
          Set<Upload> mine = track(caller);
          adding = mine.contains(upload) ? 0 : 1;
          checkCaps(caller, mine, adding);
          reserve(caller, adding);
        }
        boolean written = false;
        try {
          writeSlotChunk(request, owner);
          written = true;
        } finally {
          synchronized (claims) {
            reserve(caller, -adding);
            if (written) {
              claim(caller, upload);
            }
          }
        }
      }
    }
  }

  private void writeSlotChunk(Request.WriteSlotShare request, LeaseOwner owner)
      throws StorageException {
    LeaseSecrets secrets = LeaseSecrets.of(request.renewSecret(), request.cancelSecret());
    call(() -> store.writeSlotChunk(request.index(), request.share(), request.totalSize(),
        request.offset(), request.view(), owner, secrets));
  }

  @Override
  public void addLease(Caller caller, Request.AddLease request) throws StorageException {
    LeaseSecrets secrets = LeaseSecrets.of(request.renewSecret(), request.cancelSecret());
    call(() -> store.addLease(request.index(), owner(caller), secrets));
  }

  @Override
  public void renewLease(Caller caller, Request.RenewLease request) throws StorageException {
    call(() -> {
      store.renewLease(request.index(), request.renewSecret());
      return null;
    });
  }

  @Override
  public void connectionClosed(Caller caller) {
    long id = caller.connectionId();
    Set<Upload> open = openByConnection.get(id);
    if (open == null) {
      return;
    }
    for (Upload u : open) {
      synchronized (stripe(u.index())) {
        synchronized (claims) {
          if (!claimedBy.remove(u, id)) {
            continue; // taken over by another connection of the same node
          }
          open.remove(u);
          countAddress(id, -1);
        }
        try {
          if (u.slot()) {
            store.abortSlotWrite(u.owner(), u.index(), u.share());
          } else {
            store.abort(u.owner(), u.index(), u.share());
          }
        } catch (StoreException e) {
          // already closed or aborted
        } catch (IOException e) {
          log.warn("could not abort {} share {} of {} after connection {} closed", u.slot()
              ? "slot" : "immutable", u.share(), u.index(), caller, e);
        }
      }
    }
    synchronized (claims) {
      openByConnection.remove(id);
      addressOf.remove(id);
    }
  }

  /**
   * Makes {@code caller}'s connection the one that claims {@code u}; call under its stripe and
   * {@code claims}.
   */
  private void claim(Caller caller, Upload u) {
    Long previous = claimedBy.put(u, caller.connectionId());
    if (previous != null && previous != caller.connectionId()) {
      Set<Upload> theirs = openByConnection.get(previous);
      if (theirs != null && theirs.remove(u)) {
        countAddress(previous, -1);
      }
    }
    if (track(caller).add(u)) {
      countAddress(caller.connectionId(), 1);
    }
  }

  /** {@code u} is no longer open, whoever claimed it; call under its stripe. */
  private void unclaim(Upload u) {
    synchronized (claims) {
      Long holder = claimedBy.remove(u);
      if (holder != null) {
        forget(holder, u);
      }
    }
  }

  /** Connection {@code holder} no longer counts {@code u}; call under {@code claims}. */
  private void forget(long holder, Upload u) {
    Set<Upload> theirs = openByConnection.get(holder);
    if (theirs != null && theirs.remove(u)) {
      countAddress(holder, -1);
    }
  }

  /**
   * Takes ({@code places} > 0) or gives back places for writes a request may open, so that
   * concurrent requests count each other's; call under {@code claims}.
   */
  private void reserve(Caller caller, int places) {
    if (places == 0) {
      return;
    }
    reservedByConnection.merge(caller.connectionId(), places, ShareStoreBackend::sumOrNull);
    reservedByAddress.merge(caller.peerAddress(), places, ShareStoreBackend::sumOrNull);
  }

  private static Integer sumOrNull(int a, int b) {
    return a + b == 0 ? null : a + b;
  }

  /** Moves the open-write count of connection {@code id}'s address by {@code delta}. */
  private void countAddress(long id, int delta) {
    Object address = addressOf.get(id);
    if (address != null) {
      openByAddress.merge(address, delta, (a, b) -> a + b == 0 ? null : a + b);
    }
  }

  private Object stripe(StorageIndex index) {
    return stripes[Math.floorMod(index.hashCode(), STRIPES)];
  }

  /**
   * Refuses with BUSY when {@code adding} more open uploads or slot writes would take this
   * connection or its peer address past its cap. Counts every share asked for, even those that
   * turn out held, and the places other requests under way have reserved: a conservative
   * check, cheap and never too lax. Writes the store dropped as idle still count until looked
   * at here: when over a cap, the connection's own are pruned first (another connection's are
   * pruned when it next asks). Call under {@code claims}.
   */
  private void checkCaps(Caller caller, Set<Upload> mine, long adding) throws StorageException {
    int cap = store.limits().maxOpenWritesPerConnection();
    int addressCap = store.limits().maxOpenWritesPerAddress();
    if (adding == 0) {
      return;
    }
    if (connectionCount(caller, mine) + adding > cap
        || addressCount(caller) + adding > addressCap) {
      pruneClosed(caller, mine);
    }
    int fromConnection = connectionCount(caller, mine);
    if (fromConnection + adding > cap) {
      throw new StorageException(ErrorCode.BUSY, "connection busy: " + adding
          + " more uploads would exceed its " + cap + " open uploads and slot writes ("
          + fromConnection + " open); close or abort some first");
    }
    int fromAddress = addressCount(caller);
    if (fromAddress + adding > addressCap) {
      throw new StorageException(ErrorCode.BUSY, "address busy: " + adding
          + " more uploads would exceed the " + addressCap + " open uploads and slot writes"
          + " allowed to connections from " + caller.peerAddress() + " (" + fromAddress
          + " open); close or abort some first");
    }
  }

  /** Claims pinned by allocations under way that restart them (tests: none once they end). */
  int restartsUnderWay() {
    synchronized (claims) {
      return restarting.size();
    }
  }

  /** The open-write count of each peer address that holds any (a copy; for tests). */
  Map<Object, Integer> openWritesByAddress() {
    synchronized (claims) {
      return Map.copyOf(openByAddress);
    }
  }

  private int addressCount(Caller caller) {
    return openByAddress.getOrDefault(caller.peerAddress(), 0)
        + reservedByAddress.getOrDefault(caller.peerAddress(), 0);
  }

  private int connectionCount(Caller caller, Set<Upload> mine) {
    return mine.size() + reservedByConnection.getOrDefault(caller.connectionId(), 0);
  }

  /**
   * Forgets this connection's claims on writes the store no longer has open (expired). Takes
   * no stripe (the caller holds one); runs under {@code claims}, as does every claim change,
   * so a write opened again and claimed meanwhile is either seen open or claimed after this.
   */
  private void pruneClosed(Caller caller, Set<Upload> mine) {
    for (Upload u : List.copyOf(mine)) {
      if (!restarting.containsKey(u)
          && !store.isWriteOpen(u.owner(), u.index(), u.share(), u.slot())
          && claimedBy.remove(u, caller.connectionId()) && mine.remove(u)) {
        countAddress(caller.connectionId(), -1);
      }
    }
  }

  /** Maps a store reason to the wire code of the same meaning. */
  static ErrorCode codeOf(StoreException.Reason reason) {
    return switch (reason) {
      case SERVER_FULL -> ErrorCode.SERVER_FULL;
      case SHARE_TOO_BIG -> ErrorCode.SHARE_TOO_BIG;
      case NOT_FOUND -> ErrorCode.NOT_FOUND;
      case BAD_REQUEST -> ErrorCode.BAD_REQUEST;
      case REJECTED -> ErrorCode.REJECTED;
      case BUSY -> ErrorCode.BUSY;
    };
  }

  private static LeaseOwner owner(Caller caller) {
    return LeaseOwner.of(caller.nodeId().toBytes());
  }

  private Set<Upload> track(Caller caller) {
    addressOf.putIfAbsent(caller.connectionId(), caller.peerAddress());
    return openByConnection.computeIfAbsent(caller.connectionId(),
        id -> ConcurrentHashMap.newKeySet());
  }

  @FunctionalInterface
  private interface StoreCall<T> {
    T run() throws StoreException, IOException;
  }

  @FunctionalInterface
  private interface DiskCall<T> {
    T run() throws IOException;
  }

  private static <T> T call(StoreCall<T> body) throws StorageException {
    try {
      return body.run();
    } catch (StoreException e) {
      throw new StorageException(codeOf(e.reason()), e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new StorageException(ErrorCode.BAD_REQUEST, e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T io(DiskCall<T> body) {
    try {
      return body.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
