package org.cairnfs.storage.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.time.InstantSource;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.LeaseSecrets;
import org.cairnfs.storage.lease.ShareRecord;
import org.cairnfs.storage.share.ShareKey;

/**
 * The open uploads of immutable shares: allocated with their space reserved, written in any
 * order in the incoming area, then renamed into place and leased on close, or dropped. The
 * counterpart of {@link SlotWriter} for mutable shares; {@link ShareStore} validates arguments
 * and delegates here.
 */
final class ImmutableUploads {
  /**
   * Least space an open upload is charged, whatever its declared size: its file and
   * descriptor cost something even when empty. Once closed a share counts its real size.
   */
  static final long MIN_UPLOAD_CHARGE = 4096;

  private final ShareLayout layout;
  private final LeaseDb leases;
  private final SpaceBudget budget;
  private final OpenWriteCount openWrites;
  private final StripedLocks stripes;
  private final HeldShareLeases held;
  private final Map<ShareKey, IncomingShare> uploads = new ConcurrentHashMap<>();
  private final InstantSource clock;
  private final AtomicLong serials = new AtomicLong();

  ImmutableUploads(ShareLayout layout, LeaseDb leases, SpaceBudget budget,
      OpenWriteCount openWrites, StripedLocks stripes, HeldShareLeases held) {
    this.clock = leases.clock();
    this.layout = layout;
    this.leases = leases;
    this.budget = budget;
    this.openWrites = openWrites;
    this.stripes = stripes;
    this.held = held;
  }

  /**
   * Opens uploads of the valid share {@code numbers} not held yet (an upload of the same owner
   * restarts) and leases the held ones; all new shares fit or none is opened.
   */
  Allocation allocate(StorageIndex index, Set<Integer> numbers, long shareSize, LeaseOwner owner,
      LeaseSecrets secrets) throws StoreException, IOException {
    Set<Integer> heldNumbers = new TreeSet<>();
    List<ShareKey> toOpen = new ArrayList<>();
    synchronized (stripes.of(index)) {
      for (int n : numbers) {
        ShareKey key = ShareKey.immutable(index, n);
        if (Files.exists(layout.sharePath(key))) {
          held.add(key, owner, secrets);
          heldNumbers.add(n);
          continue;
        }
        IncomingShare running = uploads.get(key);
        if (running != null && running.owner().equals(owner)) {
          drop(running);
          running = null;
        }
        if (running == null) {
          toOpen.add(key);
        }
      }
      openWrites.acquire(toOpen.size());
      List<SpaceBudget.Reservation> reservations;
      try {
        reservations = budget.reserveEach(chargeOf(shareSize), toOpen.size());
      } catch (StoreException | IOException e) {
        openWrites.release(toOpen.size());
        throw e;
      }
      List<IncomingShare> opened = new ArrayList<>();
      try {
        for (int i = 0; i < toOpen.size(); i++) {
          ShareKey key = toOpen.get(i);
          opened.add(IncomingShare.create(key, shareSize, owner, secrets,
              layout.incomingPath(key, serials.incrementAndGet()), reservations.get(i)));
        }
      } catch (IOException e) {
        for (IncomingShare upload : opened) {
          upload.discard();
        }
        reservations.forEach(SpaceBudget.Reservation::release);
        openWrites.release(toOpen.size());
        throw e;
      }
      long now = clock.millis();
      for (IncomingShare upload : opened) {
        upload.started(now);
        uploads.put(upload.key(), upload);
      }
    }
    Set<Integer> allocated = new TreeSet<>();
    toOpen.forEach(k -> allocated.add(k.shareNumber()));
    return Allocation.of(heldNumbers, allocated);
  }

  /** Writes a chunk of the owner's open upload of {@code key} at {@code offset}. */
  void write(ShareKey key, LeaseOwner owner, long offset, ByteBuffer data)
      throws StoreException, IOException {
    upload(key, owner).write(offset, data, clock.millis());
  }

  /**
   * Checks every byte was written, syncs, renames the share into place and records the owner's
   * lease. An incomplete upload stays open; a failed rename drops it.
   */
  void close(ShareKey key, LeaseOwner owner) throws StoreException, IOException {
    IncomingShare upload = upload(key, owner);
    synchronized (stripes.of(key.index())) {
      try {
        upload.finish(layout.sharePath(key));
      } catch (IOException e) {
        drop(upload);
        throw e;
      }
      boolean removed = uploads.remove(key, upload);
      try {
        leases.recordShare(key, upload.size(), ShareRecord.NO_SEQNUM, owner, upload.secrets());
      } finally {
        if (removed) {
          released(upload);
        }
      }
    }
  }

  /** Drops the owner's open upload of {@code key} and its incoming file. */
  void abort(ShareKey key, LeaseOwner owner) throws StoreException, IOException {
    synchronized (stripes.of(key.index())) {
      // Looked up under the lock: a restart of the same owner cannot slip in between.
      drop(upload(key, owner));
    }
  }

  /**
   * Drops every upload that got no new bytes for more than {@code idleMillis}, as an abort
   * would; returns how many.
   */
  int expireIdle(long idleMillis) throws IOException {
    long now = clock.millis();
    int dropped = 0;
    for (IncomingShare upload : List.copyOf(uploads.values())) {
      if (!upload.idleSince(now, idleMillis)) {
        continue;
      }
      synchronized (stripes.of(upload.key().index())) {
        if (uploads.get(upload.key()) == upload && upload.idleSince(now, idleMillis)) {
          drop(upload);
          dropped++;
        }
      }
    }
    return dropped;
  }

  /** Whether {@code owner}'s upload of {@code key} is open. */
  boolean isOpen(ShareKey key, LeaseOwner owner) {
    IncomingShare upload = uploads.get(key);
    return upload != null && upload.owner().equals(owner);
  }

  /** Drops every open upload (store shutdown). */
  void discardAll() throws IOException {
    for (IncomingShare upload : List.copyOf(uploads.values())) {
      drop(upload);
    }
  }

  private IncomingShare upload(ShareKey key, LeaseOwner owner) throws StoreException {
    IncomingShare upload = uploads.get(key);
    if (upload == null || !upload.owner().equals(owner)) {
      throw StoreException.notFound("no upload of " + key + " open for this client");
    }
    return upload;
  }

  private void drop(IncomingShare upload) throws IOException {
    if (uploads.remove(upload.key(), upload)) {
      released(upload);
    }
    upload.discard();
  }

  /** Gives back what an upload leaving the map held: its space charge and its open place. */
  private void released(IncomingShare upload) {
    upload.reservation().release();
    openWrites.release(1);
  }

  /** Space an open upload of {@code shareSize} bytes is charged. */
  static long chargeOf(long shareSize) {
    return Math.max(shareSize, MIN_UPLOAD_CHARGE);
  }
}
