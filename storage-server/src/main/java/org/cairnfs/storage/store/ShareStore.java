package org.cairnfs.storage.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.LeaseSecrets;
import org.cairnfs.storage.lease.ShareRecord;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.share.ShareKind;

/**
 * The shares one server holds, on any {@link java.nio.file.FileSystem} (tests use Jimfs).
 *
 * <p>Why it is shaped this way: readers only ever look at {@code shares/<prefix>/<SI>/}, and a
 * file appears there by an atomic rename of a complete, synced file, so a crash never shows a
 * partial share. Everything a request names is validated (share numbers, offsets, lengths,
 * sizes) before the disk is touched. Changes to one storage index are serialized by a lock
 * stripe; uploads to different shares proceed in parallel.
 *
 * <p>This class validates requests and coordinates; immutable uploads are kept by {@link
 * ImmutableUploads}, new slot versions by {@link SlotWriter}, reads of held shares by {@link
 * HeldShareReads}, their leases by {@link LeaseKeeping} and {@link HeldShareLeases}, idle writes
 * are dropped by {@link IdleWriteSweep}, opening prepares the disk by {@link StoreStartup}, and
 * {@link CloseWait} waits out a close's commit.
 *
 * <p>Thread-safe. Every method may block on disk, so network code must call it off its event
 * loop.
 */
public final class ShareStore implements AutoCloseable {
  /** Longest single read; larger requests are refused rather than buffered. */
  public static final int MAX_READ_LENGTH = 8 << 20;
  private static final int STRIPES = 64;

  private final ShareLayout layout;
  private final LeaseDb leases;
  private final SpaceBudget budget;
  private final StripedLocks stripes = new StripedLocks(STRIPES);
  private final ImmutableUploads uploads;
  private final SlotWriter slots;
  private final HeldShareReads reads;
  private final LeaseKeeping leaseKeeping;
  private final IdleWriteSweep idleWrites;

  private ShareStore(ShareLayout layout, LeaseDb leases, SpaceBudget budget,
      SlotWriteCheck slotCheck, SharedDirectorySync.Syncer dirSyncer, int directAlignment) {
    this.layout = layout;
    this.leases = leases;
    this.budget = budget;
    HeldShareLeases held = new HeldShareLeases(layout, leases, budget, slotCheck);
    OpenWriteCount openWrites = new OpenWriteCount(budget.limits().maxOpenWrites());
    SharedDirectorySync dirSyncs = new SharedDirectorySync(dirSyncer);
    this.uploads = new ImmutableUploads(layout, leases, budget, openWrites, stripes, held,
        dirSyncs, directAlignment);
    this.slots = new SlotWriter(layout, leases, budget, openWrites, stripes, slotCheck,
        dirSyncs);
    this.reads = new HeldShareReads(layout);
    this.leaseKeeping = new LeaseKeeping(layout, leases, stripes, held);
    this.idleWrites = new IdleWriteSweep(layout, budget.limits(), leases.clock(), uploads, slots);
  }

  /**
   * Opens the store under {@code storageDir}, creating its directories, deleting whatever an
   * earlier run left in the incoming area (uploads that never closed) and reconciling the lease
   * database with the share tree (O(shares), see {@link StoreReconciliation}) so used space is
   * exact after a crash.
   */
  public static ShareStore open(Path storageDir, StoreLimits limits, LeaseDb leases,
      FreeSpace freeSpace, SlotWriteCheck slotCheck) throws IOException {
    return open(storageDir, limits, leases, freeSpace, slotCheck, true);
  }

  /**
   * {@link #open}, with uploads written by direct I/O where the disk allows it only when
   * {@code directWrites} ({@link DirectWrites}).
   */
  public static ShareStore open(Path storageDir, StoreLimits limits, LeaseDb leases,
      FreeSpace freeSpace, SlotWriteCheck slotCheck, boolean directWrites) throws IOException {
    return open(storageDir, limits, leases, freeSpace, slotCheck, DirectorySync::sync,
        directWrites);
  }

  /** {@link #open}, syncing directories with {@code dirSyncer} (tests inject failures). */
  static ShareStore open(Path storageDir, StoreLimits limits, LeaseDb leases,
      FreeSpace freeSpace, SlotWriteCheck slotCheck, SharedDirectorySync.Syncer dirSyncer)
      throws IOException {
    return open(storageDir, limits, leases, freeSpace, slotCheck, dirSyncer, true);
  }

  private static ShareStore open(Path storageDir, StoreLimits limits, LeaseDb leases,
      FreeSpace freeSpace, SlotWriteCheck slotCheck, SharedDirectorySync.Syncer dirSyncer,
      boolean directWrites) throws IOException {
    ShareLayout layout = new ShareLayout(storageDir);
    StoreStartup.prepare(storageDir, layout, leases, slotCheck);
    return new ShareStore(layout, leases, new SpaceBudget(limits, freeSpace, leases), slotCheck,
        dirSyncer, DirectWrites.alignment(layout.incomingDir(), directWrites));
  }

  public ShareLayout layout() {
    return layout;
  }

  public StoreLimits limits() {
    return budget.limits();
  }

  /**
   * Opens uploads of {@code shareNumbers} of {@code index}, each {@code shareSize} bytes, and
   * adds the owner's lease to the ones already held. All new shares fit or none is opened.
   */
  public Allocation allocate(StorageIndex index, Collection<Integer> shareNumbers,
      long shareSize, LeaseOwner owner, LeaseSecrets secrets) throws StoreException, IOException {
    PendingAllocation pending = allocatePending(index, shareNumbers, shareSize, owner, secrets);
    pending.awaitDurable();
    return pending.allocation();
  }

  /**
   * {@link #allocate}, returning before the held shares' new leases are committed: the caller
   * answers only after {@link PendingAllocation#awaitDurable}, which it calls after releasing
   * its own locks (one log sync for all the held shares, under no lock).
   */
  public PendingAllocation allocatePending(StorageIndex index, Collection<Integer> shareNumbers,
      long shareSize, LeaseOwner owner, LeaseSecrets secrets) throws StoreException, IOException {
    return allocatePending(index, shareNumbers, shareSize, owner, secrets, null);
  }

  /**
   * {@link #allocatePending} for a client whose reservations are counted as {@code account}
   * (its peer address; null: not bounded per account, see {@code SpaceBudget}).
   */
  public PendingAllocation allocatePending(StorageIndex index, Collection<Integer> shareNumbers,
      long shareSize, LeaseOwner owner, LeaseSecrets secrets, Object account)
      throws StoreException, IOException {
    budget.checkShareSize(shareSize);
    idleWrites.sweepIfDue();
    Set<Integer> numbers = new TreeSet<>();
    for (int n : shareNumbers) {
      numbers.add(checkedShareNumber(n));
    }
    return uploads.allocate(index, numbers, shareSize, owner, secrets, account);
  }

  /** Writes a chunk of an open upload at {@code offset}. */
  public void write(LeaseOwner owner, StorageIndex index, int shareNumber, long offset,
      ByteBuffer data) throws StoreException, IOException {
    uploads.write(key(index, shareNumber), owner, offset, data);
  }

  /**
   * Completes an upload: checks every byte was written, syncs, renames the share into place
   * and records the owner's lease; returns once all of that is on disk. An incomplete upload
   * stays open. Closes from many callers are committed in groups (one lease database commit
   * and one sync per directory for all of them, file syncs issued together).
   */
  public void close(LeaseOwner owner, StorageIndex index, int shareNumber)
      throws StoreException, IOException {
    uploads.close(key(index, shareNumber), owner);
  }

  /**
   * {@link #close} without waiting: refuses an incomplete or unknown upload at once (thrown),
   * otherwise returns a future that completes once the share and its lease are on disk, or
   * fails with the {@link StoreException} or {@link IOException} that stopped it.
   */
  public java.util.concurrent.CompletableFuture<Void> closeAsync(LeaseOwner owner,
      StorageIndex index, int shareNumber) throws StoreException {
    return uploads.closeAsync(key(index, shareNumber), owner);
  }

  /** Closes handed to the group commit so far, committed or not (tests). */
  long closesSubmitted() {
    return uploads.closesSubmitted();
  }

  /** Group commits of closes so far: {@code {batches, closes}}. */
  long[] commitCounts() {
    return uploads.commitCounts();
  }

  /** Held (tests only), no batch of closes starts committing. */
  java.util.concurrent.locks.Lock commitLock() {
    return uploads.commitLock();
  }

  /** Drops an open upload and its incoming file. */
  public void abort(LeaseOwner owner, StorageIndex index, int shareNumber)
      throws StoreException, IOException {
    uploads.abort(key(index, shareNumber), owner);
  }

  /** Sizes of the shares of {@code kind} held (closed) for {@code index}, by share number. */
  public SortedMap<Integer, Long> shareSizes(StorageIndex index, ShareKind kind)
      throws IOException {
    return reads.sizes(index, kind);
  }

  /** Numbers of the immutable shares held for {@code index}. */
  public Set<Integer> heldShares(StorageIndex index) throws IOException {
    return shareSizes(index, ShareKind.IMMUTABLE).keySet();
  }

  /**
   * Reads up to {@code length} bytes of a held share from {@code offset}; fewer at its end.
   * Uploads in progress are invisible.
   */
  public byte[] read(ShareKey key, long offset, int length) throws StoreException, IOException {
    ByteBuffer[] out = {null};
    int n = read(key, offset, length, size -> out[0] = ByteBuffer.allocate(size));
    return n == out[0].capacity() ? out[0].array() : java.util.Arrays.copyOf(out[0].array(), n);
  }

  /**
   * {@link #read(ShareKey, long, int)} into a buffer of the caller's: {@code buffers} is given
   * the count the share holds in that range and returns a buffer with that much room from its
   * position, which the read fills (a direct one spares the JDK's copy through its own). Returns
   * the bytes read: fewer only if the share shrank meanwhile.
   */
  public int read(ShareKey key, long offset, int length,
      java.util.function.IntFunction<ByteBuffer> buffers) throws StoreException, IOException {
    return reads.read(key, offset, length, buffers);
  }

  /**
   * Stores a new version of a mutable slot share if {@link SlotWriteCheck} accepts it, and adds
   * or renews the writer's lease. The old version stays in place unless the new one is
   * accepted, fits and is fully on disk. Returns the new version's seqnum.
   */
  public long writeSlotShare(StorageIndex index, int shareNumber, byte[] share,
      LeaseOwner owner, LeaseSecrets secrets) throws StoreException, IOException {
    return slots.write(ShareKey.mutable(index, checkedShareNumber(shareNumber)), share, owner,
        secrets);
  }

  /**
   * Receives one chunk of a new slot share version of {@code totalSize} bytes; chunks must come
   * in order from offset 0, and a chunk at offset 0 restarts. The chunk that completes the
   * share stores it as {@link #writeSlotShare} does and returns its seqnum.
   */
  public OptionalLong writeSlotChunk(StorageIndex index, int shareNumber, long totalSize,
      long offset, ByteBuffer data, LeaseOwner owner, LeaseSecrets secrets)
      throws StoreException, IOException {
    return writeSlotChunk(index, shareNumber, totalSize, offset, data, owner, secrets, null);
  }

  /** {@link #writeSlotChunk} for a client whose reservations are counted as {@code account}. */
  public OptionalLong writeSlotChunk(StorageIndex index, int shareNumber, long totalSize,
      long offset, ByteBuffer data, LeaseOwner owner, LeaseSecrets secrets, Object account)
      throws StoreException, IOException {
    if (offset < 0 || totalSize < 0) {
      throw StoreException.badRequest("negative slot offset " + offset + " or size " + totalSize);
    }
    if (offset == 0) {
      idleWrites.sweepIfDue();
    }
    return slots.writeChunk(ShareKey.mutable(index, checkedShareNumber(shareNumber)), owner,
        secrets, totalSize, offset, data, account);
  }

  /**
   * Waits for a close's group commit ({@link #closeAsync}); its refusal or disk failure is the
   * close's. An interrupt does not abandon the close: the wait goes on and the interrupt is
   * restored after it. {@code what} names the close in a failure that is neither.
   */
  public static void awaitClose(java.util.concurrent.CompletableFuture<Void> committed,
      String what) throws StoreException, IOException {
    CloseWait.await(committed, what);
  }

  /** The space budget, for tests that pause a store call inside it (package-private). */
  SpaceBudget budget() {
    return budget;
  }

  /** The slot writer, for tests that interleave chunk writers (package-private). */
  SlotWriter slotWriter() {
    return slots;
  }

  /** Drops the owner's unfinished chunked slot write, if any. */
  public void abortSlotWrite(LeaseOwner owner, StorageIndex index, int shareNumber)
      throws StoreException, IOException {
    slots.discard(ShareKey.mutable(index, checkedShareNumber(shareNumber)), owner);
  }

  /** The lease database the store records into. */
  public LeaseDb leases() {
    return leases;
  }

  /** Bytes the store may still take: under max-space and above the reserved free space. */
  public long freeBytes() throws IOException {
    idleWrites.sweepIfDue();
    return budget.freeBytes();
  }

  /**
   * Drops every open upload and staged slot version that got no new bytes for the limits'
   * open-write idle timeout, freeing their places and reserved space; returns how many. Runs
   * by itself (at most once a second) before anything that needs a place or reports space.
   */
  public int expireIdleWrites() throws IOException {
    return idleWrites.expire();
  }

  /**
   * Whether {@code owner} has an open upload ({@code slot} false) or a staged slot version
   * ({@code slot} true) of share {@code shareNumber} of {@code index}: false once it was
   * closed, aborted or expired.
   */
  public boolean isWriteOpen(LeaseOwner owner, StorageIndex index, int shareNumber,
      boolean slot) {
    if (shareNumber < 0 || shareNumber > ShareKey.MAX_SHARE_NUMBER) {
      return false;
    }
    return slot ? slots.isOpen(ShareKey.mutable(index, shareNumber), owner)
        : uploads.isOpen(ShareKey.immutable(index, shareNumber), owner);
  }

  /** The recorded seqnum of a held slot share, empty when unknown. */
  public OptionalLong slotSeqnum(ShareKey key) {
    return leases.find(key).filter(r -> r.seqnum() != ShareRecord.NO_SEQNUM)
        .map(r -> OptionalLong.of(r.seqnum())).orElse(OptionalLong.empty());
  }

  /** How many shares, immutable and mutable, are held for {@code index}. */
  public int shareCount(StorageIndex index) throws IOException {
    return layout.sharesOf(index).size();
  }

  /**
   * Adds the owner's lease to every share held for {@code index}; returns how many and the
   * lease-record bytes written.
   *
   * @throws StoreException NOT_FOUND when none is held
   */
  public LeaseWrites addLease(StorageIndex index, LeaseOwner owner, LeaseSecrets secrets)
      throws StoreException, IOException {
    return leaseKeeping.add(index, owner, secrets);
  }

  /**
   * Renews, on every share of {@code index}, the leases made with this renew secret; returns
   * on how many shares and the lease-record bytes written.
   *
   * @throws StoreException NOT_FOUND when no lease matched
   */
  public LeaseWrites renewLease(StorageIndex index, byte[] renewSecret)
      throws StoreException, IOException {
    return leaseKeeping.renew(index, renewSecret);
  }

  /**
   * For the garbage collector: drops the share's expired leases and deletes it if none is left
   * (or it has no record at all, as after a crash between rename and commit). Returns whether
   * it was deleted.
   */
  public boolean collectIfExpired(ShareKey key) throws IOException {
    return leaseKeeping.collectIfExpired(key);
  }

  /**
   * For a collector that knows what its client still reaches: deletes every share of
   * {@code index} unless a lease keeps one of them, where {@code owner}'s leases count only if
   * given or renewed since {@code since} and other owners' until they run out (LeaseRules#keeps).
   * All or none, under the index's lock: an upload that found some of them and then adds its
   * lease (ADD_LEASE, every share of the index) either keeps them all or is told none is held.
   * Returns how many were deleted.
   */
  public int collectIndexIfNotRenewedSince(StorageIndex index, LeaseOwner owner, Instant since)
      throws IOException {
    return leaseKeeping.collectIndexIfNotRenewedSince(index, owner, since);
  }

  /**
   * Slot shares committed since the store opened, counted before each becomes visible: a walk
   * of directories that saw the same count before and after saw no slot of this store change.
   */
  public long slotCommits() {
    return slots.commits();
  }

  /**
   * What held shares are charged (each its size, at least 4 KiB) plus what is reserved for
   * uploads and slot writes in progress: the figure max-space limits.
   */
  public long usedBytes() {
    return budget.usedBytes();
  }

  /** Bytes charged to {@code owner}. */
  public long ownerBytes(LeaseOwner owner) {
    return leases.ownerBytes(owner);
  }

  /**
   * Finishes the closes already accepted, then drops every open upload; the lease database
   * stays open (its owner closes it).
   */
  @Override
  public void close() throws IOException {
    uploads.stopCommits();
    uploads.discardAll();
    slots.discardAll();
  }

  private static ShareKey key(StorageIndex index, int shareNumber) throws StoreException {
    return ShareKey.immutable(index, checkedShareNumber(shareNumber));
  }

  private static int checkedShareNumber(int n) throws StoreException {
    if (n < 0 || n > ShareKey.MAX_SHARE_NUMBER) {
      throw StoreException.badRequest(
          "share number must be in 0.." + ShareKey.MAX_SHARE_NUMBER + ", got " + n);
    }
    return n;
  }
}
