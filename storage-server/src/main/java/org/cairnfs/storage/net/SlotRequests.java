package org.cairnfs.storage.net;

import static org.cairnfs.storage.net.StoreErrorMapping.call;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WireLimits;
import org.cairnfs.protocol.server.Caller;
import org.cairnfs.protocol.server.StorageException;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.LeaseSecrets;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.share.ShareKind;
import org.cairnfs.storage.store.ShareStore;
import org.cairnfs.storage.store.StoreException;

/**
 * Serves slot (mutable share) reads and writes from the store. A staged slot version is an open
 * write like an upload: its first chunk claims it for the connection, within the open-write
 * caps, and its last chunk ends the claim.
 */
final class SlotRequests {
  private final ShareStore store;
  private final OpenWriteClaims claims;

  SlotRequests(ShareStore store, OpenWriteClaims claims) {
    this.store = store;
    this.claims = claims;
  }

  List<Response.SlotShare> read(Request.ReadSlot request) throws StorageException {
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

  void write(Caller caller, Request.WriteSlotShare request) throws StorageException {
    LeaseOwner owner = ShareStoreBackend.owner(caller);
    Object account = ShareStoreBackend.accountOf(caller);
    OpenWrite write = new OpenWrite(owner, request.index(), request.share(), true);
    if (request.offset() != 0 && !request.isLast()) {
      // A middle chunk neither starts nor ends the staged version: no claim changes.
      writeChunk(request, owner, account);
      return;
    }
    if (request.isLast()) {
      // The last chunk runs the whole-share check (a pass over a share that may be GiBs, after
      // its fsync): not under the claims stripe, which other clients' allocations, closes and
      // slot writes of every index sharing it need. The claim seen before is ended after, unless
      // another connection of the node restarted the write meanwhile (its claim stays).
      Long holder;
      synchronized (claims.stripe(request.index())) {
        holder = claims.claimant(write);
      }
      try {
        writeChunk(request, owner, account);
      } finally {
        synchronized (claims.stripe(request.index())) {
          claims.unclaim(write, holder);
        }
      }
      return;
    }
    synchronized (claims.stripe(request.index())) {
      OpenWriteClaims.Reservation held = claims.reserve(caller, List.of(write), false);
      boolean written = false;
      try {
        writeChunk(request, owner, account);
        written = true;
      } finally {
        claims.release(held, written ? List.of(write) : List.of());
      }
    }
  }

  private void writeChunk(Request.WriteSlotShare request, LeaseOwner owner, Object account)
      throws StorageException {
    LeaseSecrets secrets = LeaseSecrets.of(request.renewSecret(), request.cancelSecret());
    call(() -> store.writeSlotChunk(request.index(), request.share(), request.totalSize(),
        request.offset(), request.view(), owner, secrets, account));
  }
}
