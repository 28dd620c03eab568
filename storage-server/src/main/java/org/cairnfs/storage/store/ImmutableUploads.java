package org.cairnfs.storage.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.time.InstantSource;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.lease.LeaseCommit;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.LeaseSecrets;
import org.cairnfs.storage.lease.ShareCharge;
import org.cairnfs.storage.lease.ShareRecord;
import org.cairnfs.storage.share.ShareKey;

/**
 * The open uploads of immutable shares: allocated with their space reserved, written in any
 * order in the incoming area, then renamed into place and leased on close, or dropped. The
 * counterpart of {@link SlotWriter} for mutable shares; {@link ShareStore} validates arguments
 * and delegates here.
 */
final class ImmutableUploads {
  /** Most closes committed together (more wait for the next batch). */
  static final int MAX_BATCH = 256;
  /** Threads issuing the fsyncs of one batch at once. */
  static final int SYNC_THREADS = 8;

  private final ShareLayout layout;
  private final LeaseDb leases;
  private final SpaceBudget budget;
  private final OpenWriteCount openWrites;
  private final StripedLocks stripes;
  private final HeldShareLeases held;
  private final Map<ShareKey, IncomingShare> uploads = new ConcurrentHashMap<>();
  private final InstantSource clock;
  private final AtomicLong serials = new AtomicLong();
  private final SharedDirectorySync dirSyncs;
  /** {@link DirectWrites#alignment} of the incoming area, or {@link DirectWrites#OFF}. */
  private final int directAlignment;
  private final ParallelSync syncs = new ParallelSync("cairn-share-sync", SYNC_THREADS);
  private final GroupCommit<IncomingShare> commits =
      new GroupCommit<>("cairn-share-commit", MAX_BATCH, this::commitCloses);

  ImmutableUploads(ShareLayout layout, LeaseDb leases, SpaceBudget budget,
      OpenWriteCount openWrites, StripedLocks stripes, HeldShareLeases held,
      SharedDirectorySync dirSyncs, int directAlignment) {
    this.dirSyncs = dirSyncs;
    this.directAlignment = directAlignment;
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
  PendingAllocation allocate(StorageIndex index, Set<Integer> numbers, long shareSize,
      LeaseOwner owner, LeaseSecrets secrets, Object account) throws StoreException, IOException {
    Set<Integer> heldNumbers = new TreeSet<>();
    List<ShareKey> heldKeys = new ArrayList<>();
    List<ShareKey> toOpen = new ArrayList<>();
    List<LeaseCommit> leasing = new ArrayList<>();
    List<IncomingShare> opened = new ArrayList<>();
    synchronized (stripes.of(index)) {
      for (int n : numbers) {
        ShareKey key = ShareKey.immutable(index, n);
        if (Files.exists(layout.sharePath(key))) {
          heldKeys.add(key);
          heldNumbers.add(n);
          continue;
        }
        IncomingShare running = uploads.get(key);
        if (running != null && running.owner().equals(owner) && !running.isSealed()) {
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
        reservations = budget.reserveEach(ShareCharge.of(shareSize), toOpen.size(), account);
      } catch (StoreException | IOException e) {
        openWrites.release(toOpen.size());
        throw e;
      }
      try {
        for (int i = 0; i < toOpen.size(); i++) {
          ShareKey key = toOpen.get(i);
          opened.add(IncomingShare.create(key, shareSize, owner, secrets,
              layout.incomingPath(key, serials.incrementAndGet()), reservations.get(i),
              directAlignment));
        }
        // Leased last, once nothing else can refuse the request: a refused ALLOCATE must
        // change no lease, since its lease records would be charged to no one. Applied now,
        // committed once for all of them after the stripe is released.
        for (ShareKey key : heldKeys) {
          leasing.add(held.apply(key, owner, secrets));
        }
      } catch (IOException | StoreException | RuntimeException e) {
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
    long leaseRecordBytes = leasing.stream().mapToLong(LeaseCommit::recordBytes).sum();
    return new PendingAllocation(Allocation.of(heldNumbers, allocated), () -> {
      try {
        LeaseKeeping.awaitAll(leasing);
      } catch (RuntimeException e) {
        // The held shares' leases were rolled back: the allocation fails as a whole, as it did
        // when each lease was committed before anything was opened.
        dropIfStillOpen(opened);
        throw e;
      }
    }, leaseRecordBytes);
  }

  /** Drops those of {@code opened} that are still the open upload of their share. */
  private void dropIfStillOpen(List<IncomingShare> opened) throws IOException {
    for (IncomingShare upload : opened) {
      synchronized (stripes.of(upload.key().index())) {
        if (uploads.get(upload.key()) == upload && !upload.isSealed()) {
          drop(upload);
        }
      }
    }
  }

  /** Writes a chunk of the owner's open upload of {@code key} at {@code offset}. */
  void write(ShareKey key, LeaseOwner owner, long offset, ByteBuffer data)
      throws StoreException, IOException {
    upload(key, owner).write(offset, data, clock.millis());
  }

  /**
   * Checks every byte was written and hands the upload to the group commit, which syncs it,
   * renames it into place, syncs the directories and records the owner's lease, together with
   * the other closes that arrived meanwhile. The future completes when all of that is on disk
   * (a crash after it completes keeps the share and its lease), or fails with the
   * StoreException or IOException that stopped this share. An incomplete upload stays open
   * (thrown here); one that fails later is dropped.
   */
  CompletableFuture<Void> closeAsync(ShareKey key, LeaseOwner owner) throws StoreException {
    synchronized (stripes.of(key.index())) {
      IncomingShare upload = upload(key, owner);
      upload.seal();
      return commits.submit(upload);
    }
  }

  /** {@link #closeAsync}, waiting for the commit. */
  void close(ShareKey key, LeaseOwner owner) throws StoreException, IOException {
    CloseWait.await(closeAsync(key, owner), "closing " + key);
  }

  /**
   * The group commit of a batch of sealed uploads, in an order that keeps every promise: each
   * file is synced before it is renamed (a name never points to bytes not on disk); rename
   * and lease record happen together under the stripe locks of the batch (so the garbage
   * collector and allocations never see a share without its record); then, outside the
   * stripes, the lease database commits once and the changed directories are synced; only then
   * are the closes answered.
   * A crash at any point before the answer leaves either nothing (the incoming area is wiped
   * at start) or a share the start-up reconciliation adopts or drops consistently.
   */
  private Map<IncomingShare, Throwable> commitCloses(List<IncomingShare> batch) {
    Map<IncomingShare, Throwable> failed =
        new HashMap<IncomingShare, Throwable>(syncs.each(batch, IncomingShare::sync));
    List<IncomingShare> synced = new ArrayList<>(batch);
    synced.removeAll(failed.keySet());
    Set<Path> dirs = new LinkedHashSet<>();
    Map<IncomingShare, List<Path>> dirsOf = new HashMap<>();
    List<IncomingShare> moved = new ArrayList<>();
    TreeSet<Integer> stripeNumbers = new TreeSet<>();
    synced.forEach(u -> stripeNumbers.add(stripes.indexOf(u.key().index())));
    LeaseCommit[] commit = {null};
    underStripes(stripeNumbers.iterator(), () -> {
      for (IncomingShare upload : synced) {
        try {
          List<Path> changed = upload.moveTo(layout.sharePath(upload.key()));
          dirs.addAll(changed);
          dirsOf.put(upload, changed);
          moved.add(upload);
        } catch (IOException | RuntimeException e) {
          failed.put(upload, e);
        }
      }
      List<LeaseDb.NewVersion> versions = new ArrayList<>();
      for (IncomingShare u : moved) {
        versions.add(new LeaseDb.NewVersion(u.key(), u.size(), ShareRecord.NO_SEQNUM, u.owner(),
            u.secrets()));
      }
      try {
        if (!versions.isEmpty()) {
          // Applied under the stripes: the expiry crawler deletes a placed share it finds
          // without a record, so no reader may see one between the rename and this.
          commit[0] = leases.applyShares(versions);
        }
      } catch (RuntimeException e) {
        // The files are in place without records: the start-up reconciliation adopts them.
        moved.forEach(u -> failed.put(u, e));
      }
      for (IncomingShare upload : batch) {
        if (uploads.remove(upload.key(), upload)) {
          released(upload);
        }
        if (failed.containsKey(upload)) {
          discardQuietly(upload);
        }
      }
    });
    // The log sync runs outside the stripes: allocations and closes of other shares go on
    // meanwhile (one that finds a record here joins this commit, and fails with it). A failed
    // commit rolls the records back and fails these closes; their files stay in place without
    // records, which allocation adopts and the crawler collects.
    if (commit[0] != null) {
      try {
        commit[0].await();
      } catch (RuntimeException e) {
        moved.forEach(u -> failed.putIfAbsent(u, e));
      }
    }
    List<Path> toSync = new ArrayList<>(dirs);
    Map<Path, IOException> unsynced = syncs.each(toSync, dirSyncs::sync);
    if (!unsynced.isEmpty()) {
      // In place and recorded, but its name may not survive a crash: the close is not answered OK.
      dirsOf.forEach((upload, changed) -> changed.stream().filter(unsynced::containsKey)
          .findFirst().ifPresent(dir -> failed.putIfAbsent(upload, unsynced.get(dir))));
    }
    return failed;
  }

  /** Runs {@code action} holding the stripes named, taken in ascending order. */
  private void underStripes(java.util.Iterator<Integer> ascending, Runnable action) {
    if (!ascending.hasNext()) {
      action.run();
      return;
    }
    synchronized (stripes.at(ascending.next())) {
      underStripes(ascending, action);
    }
  }

  private static void discardQuietly(IncomingShare upload) {
    try {
      upload.discard();
    } catch (IOException e) {
      // the incoming area is wiped at the next start
    }
  }

  long[] commitCounts() {
    return commits.counts();
  }

  long closesSubmitted() {
    return commits.submitted();
  }

  /** Held by a test, no batch of closes starts committing. */
  java.util.concurrent.locks.Lock commitLock() {
    return commits.committing();
  }

  /** Commits what is queued and stops the group commit (store shutdown). */
  void stopCommits() {
    commits.close();
    syncs.close();
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

  /** Drops every open upload (store shutdown, after {@link #stopCommits}). */
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
    if (upload.isSealed()) {
      throw StoreException.notFound("upload of " + key + " is being closed");
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

}
