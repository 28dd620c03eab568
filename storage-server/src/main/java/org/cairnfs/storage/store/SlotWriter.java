package org.cairnfs.storage.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.cairnfs.caps.share.FileChannelShare;
import org.cairnfs.caps.share.ShareSource;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.LeaseSecrets;
import org.cairnfs.storage.lease.ShareCharge;
import org.cairnfs.storage.lease.ShareRecord;
import org.cairnfs.storage.share.ShareKey;

/**
 * Writes new versions of mutable slot shares: staged whole in the incoming area (in one piece
 * or in in-order chunks), checked by the {@link SlotWriteCheck}, then renamed over the old
 * version. A refused or unfinished version never touches the held one.
 *
 * <p>Checked twice: the front as soon as a chunked write has delivered it (a stranger's share is
 * refused before the rest is stored), and the whole share once complete, read back from the
 * staged file with bounded memory, outside the index lock (it costs a pass over the share). Under
 * the lock only the seqnum is compared again, since another version may have landed meanwhile.
 */
final class SlotWriter {
  private final ShareLayout layout;
  private final LeaseDb leases;
  private final SpaceBudget budget;
  private final OpenWriteCount openWrites;
  private final StripedLocks locks;
  private final SlotWriteCheck check;
  private final Map<Staging, Staged> staged = new ConcurrentHashMap<>();
  private final AtomicLong tempCounter = new AtomicLong();
  private final AtomicLong commits = new AtomicLong();
  private final java.time.InstantSource clock;

  private record Staging(ShareKey key, LeaseOwner owner) {}

  /**
   * A version being received in chunks. Its reservation is released exactly once, by whoever
   * first discards or completes it, under its own lock.
   */
  private final class Staged {
    final ShareKey key;
    final long size;
    final Path path;
    final FileChannel channel;
    final SpaceBudget.Reservation reservation;
    long next;
    boolean frontChecked;
    long lastProgressMillis;
    private boolean done;

    Staged(ShareKey key, long size, SpaceBudget.Reservation reservation) throws IOException {
      this.key = key;
      this.size = size;
      this.reservation = reservation;
      this.lastProgressMillis = clock.millis();
      this.path = layout.slotTempPath(key, tempCounter.incrementAndGet());
      this.channel = IncomingShare.createNew(path);
    }

    /** Closes, deletes and releases the reservation; later calls do nothing. */
    synchronized void discard() throws IOException {
      if (done) {
        return;
      }
      done = true;
      try {
        channel.close();
        Files.deleteIfExists(path);
      } finally {
        reservation.release();
        openWrites.release(1);
      }
    }
  }

  private final SharedDirectorySync dirSyncs;

  /**
   * Test-only seam: told when a chunk writer reaches a point where another writer of the same
   * version can interleave, so a test can make that interleaving happen. Does nothing unless a
   * test in this package sets it.
   */
  interface Interleaving {
    /** A chunk found its staged version, before taking its lock. */
    default void chunkFound(ShareKey key) {}

    /** A chunk holds its staged version's lock and found it not done. */
    default void chunkLocked(ShareKey key) {}

    /** A restart put its new staged version in place, before discarding the old one. */
    default void restartStaged(ShareKey key) {}
  }

  private static final Interleaving NO_INTERLEAVING = new Interleaving() {};
  volatile Interleaving interleaving = NO_INTERLEAVING;

  SlotWriter(ShareLayout layout, LeaseDb leases, SpaceBudget budget, OpenWriteCount openWrites,
      StripedLocks locks, SlotWriteCheck check, SharedDirectorySync dirSyncs) {
    this.dirSyncs = dirSyncs;
    this.clock = leases.clock();
    this.layout = layout;
    this.leases = leases;
    this.budget = budget;
    this.openWrites = openWrites;
    this.locks = locks;
    this.check = check;
  }

  /** Receives one in-order chunk; the chunk ending at {@code size} stores the version. */
  OptionalLong writeChunk(ShareKey key, LeaseOwner owner, LeaseSecrets secrets, long size,
      long offset, ByteBuffer data, Object account) throws StoreException, IOException {
    Staging id = new Staging(key, owner);
    Staged s;
    if (offset == 0) {
      budget.checkShareSize(size);
      openWrites.acquire(1);
      SpaceBudget.Reservation reservation;
      try {
        // a restart's own staged version goes right after: its bytes are not held against it
        Staged prior = staged.get(id);
        long credit = prior == null ? 0 : prior.reservation.outstandingFor(account);
        reservation = budget.reserveReplacing(size, chargeOf(leases.find(key)), account, credit);
      } catch (StoreException | IOException e) {
        openWrites.release(1);
        throw e;
      }
      try {
        s = new Staged(key, size, reservation);
      } catch (IOException e) {
        reservation.release();
        openWrites.release(1);
        throw e;
      }
      // One atomic swap: whichever of two racing restarts lands second discards the first,
      // so no staged version is ever unreachable while holding its reservation.
      Staged old = staged.put(id, s);
      interleaving.restartStaged(key);
      if (old != null) {
        old.discard();
      }
    } else {
      s = staged.get(id);
      if (s == null) {
        throw StoreException.notFound("no slot write of " + key + " in progress for this client");
      }
      interleaving.chunkFound(key);
    }
    synchronized (s) {
      if (s.done) {
        throw StoreException.notFound("slot write of " + key
            + " was restarted or dropped while this chunk was on its way");
      }
      interleaving.chunkLocked(key);
      long length = data.remaining();
      if (s.size != size || offset != s.next || length > size - offset) {
        staged.remove(id, s);
        s.discard();
        throw StoreException.badRequest("slot chunk [" + offset + ", +" + length + ") of a "
            + size + "-byte share does not follow the " + s.next + " bytes received of a "
            + s.size + "-byte share");
      }
      ByteBuffer src = data.duplicate();
      while (src.hasRemaining()) {
        s.channel.write(src, s.next + (src.position() - data.position()));
      }
      s.next += length;
      s.lastProgressMillis = clock.millis();
      s.reservation.written(s.next);
      if (!s.frontChecked && s.next >= Math.min(size, check.frontLength())) {
        s.frontChecked = true;
        try {
          check.checkFront(key.index(), key.shareNumber(), size,
              readFront(s.channel, (int) Math.min(size, check.frontLength())), heldSeqnum(key));
        } catch (SlotWriteCheck.Rejected e) {
          staged.remove(id, s);
          s.discard();
          throw rejected(key, e);
        }
      }
      if (s.next < size) {
        return OptionalLong.empty();
      }
      staged.remove(id, s);
      s.done = true;
      try {
        s.channel.force(true);
        long seqnum = checkWhole(key, size, new FileChannelShare(s.channel));
        s.channel.close();
        // its reservation holds max space for its growth until the commit is done
        return OptionalLong.of(commit(key, s.path, size, seqnum, owner, secrets,
            s.reservation.quota()));
      } finally {
        try {
          s.channel.close();
          Files.deleteIfExists(s.path);
        } finally {
          s.reservation.release();
          openWrites.release(1);
        }
      }
    }
  }

  /**
   * Stores a whole version given in memory. The check reads the staged file, not the array: what
   * is checked is exactly what is renamed into place, whatever the caller does with its array.
   */
  long write(ShareKey key, byte[] share, LeaseOwner owner, LeaseSecrets secrets)
      throws StoreException, IOException {
    budget.checkShareSize(share.length);
    try {
      check.checkFront(key.index(), key.shareNumber(), share.length,
          java.util.Arrays.copyOf(share, (int) Math.min(share.length, check.frontLength())),
          heldSeqnum(key));
    } catch (SlotWriteCheck.Rejected e) {
      throw rejected(key, e);
    }
    SpaceBudget.Reservation staging = budget.reserveStaging(share.length);
    Path temp = layout.slotTempPath(key, tempCounter.incrementAndGet());
    try {
      long seqnum;
      try (FileChannel channel = IncomingShare.createNew(temp)) {
        ByteBuffer src = ByteBuffer.wrap(share);
        while (src.hasRemaining()) {
          channel.write(src);
        }
        channel.force(true);
        seqnum = checkWhole(key, share.length, new FileChannelShare(channel));
      }
      staging.written(share.length);
      return commit(key, temp, share.length, seqnum, owner, secrets, 0);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } finally {
        staging.release();
      }
    }
  }

  /** Drops the owner's unfinished version of {@code key}, if any. */
  void discard(ShareKey key, LeaseOwner owner) throws IOException {
    Staged s = staged.remove(new Staging(key, owner));
    if (s != null) {
      s.discard();
    }
  }

  /**
   * Drops every staged version that got no chunk for more than {@code idleMillis}; returns
   * how many.
   */
  int expireIdle(long idleMillis) throws IOException {
    long now = clock.millis();
    int dropped = 0;
    for (Map.Entry<Staging, Staged> e : java.util.List.copyOf(staged.entrySet())) {
      Staged s = e.getValue();
      synchronized (s) {
        if (!s.done && now - s.lastProgressMillis > idleMillis && staged.remove(e.getKey(), s)) {
          s.discard();
          dropped++;
        }
      }
    }
    return dropped;
  }

  /** Whether {@code owner} has a version of {@code key} staged. */
  boolean isOpen(ShareKey key, LeaseOwner owner) {
    return staged.containsKey(new Staging(key, owner));
  }

  /** Drops every version in progress. */
  void discardAll() throws IOException {
    for (Staging id : java.util.List.copyOf(staged.keySet())) {
      Staged s = staged.remove(id);
      if (s != null) {
        s.discard();
      }
    }
  }

  /** The whole-share check against the version held now; returns the share's seqnum. */
  private long checkWhole(ShareKey key, long size, ShareSource share)
      throws StoreException, IOException {
    try {
      return check.check(key.index(), key.shareNumber(), size, share, heldSeqnum(key));
    } catch (SlotWriteCheck.Rejected e) {
      throw rejected(key, e);
    }
  }

  /**
   * Renames a checked version over the held one, unless a version with a seqnum at least as high
   * landed since it was checked. {@code quotaHeld}: max-space bytes the caller's own reservation
   * already holds for this version (released after this returns), so not charged twice.
   */
  private long commit(ShareKey key, Path temp, long size, long seqnum, LeaseOwner owner,
      LeaseSecrets secrets, long quotaHeld) throws StoreException, IOException {
    synchronized (locks.of(key.index())) {
      Optional<ShareRecord> record = leases.find(key);
      OptionalLong held = seqnumOf(record);
      if (held.isPresent() && seqnum <= held.getAsLong()) {
        throw new StoreException(StoreException.Reason.REJECTED, "slot share " + key
            + " rejected: STALE_SEQNUM: seqnum " + seqnum + " is not higher than the held "
            + "seqnum " + held.getAsLong() + ", stored while this one was checked");
      }
      long growth = ShareCharge.of(size) - chargeOf(record) - quotaHeld;
      // The new version is already on disk (staged), so only max-space needs checking.
      SpaceBudget.Reservation growing = budget.reserveWritten(growth);
      try {
        commits.incrementAndGet(); // before the version is visible (ShareStore#slotCommits)
        // Database first: its seqnum is then never below the version on disk, so a crash
        // between the two steps cannot let an older version in later.
        leases.recordShare(key, size, seqnum, owner, secrets);
        Path target = layout.sharePath(key);
        List<Path> changed = IncomingShare.createParents(target);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
        for (Path dir : changed) {
          dirSyncs.sync(dir); // shared with other writes syncing the same directory now
        }
        return seqnum;
      } finally {
        growing.release();
      }
    }
  }

  /** See {@link ShareStore#slotCommits}. */
  long commits() {
    return commits.get();
  }

  private OptionalLong heldSeqnum(ShareKey key) {
    return seqnumOf(leases.find(key));
  }

  /** What the held version is charged; nothing when there is none. */
  private static long chargeOf(Optional<ShareRecord> record) {
    return record.map(r -> ShareCharge.of(r.size())).orElse(0L);
  }

  private static OptionalLong seqnumOf(Optional<ShareRecord> record) {
    return record.filter(r -> r.seqnum() != ShareRecord.NO_SEQNUM)
        .map(r -> OptionalLong.of(r.seqnum())).orElse(OptionalLong.empty());
  }

  private static StoreException rejected(ShareKey key, SlotWriteCheck.Rejected e) {
    return new StoreException(StoreException.Reason.REJECTED,
        "slot share " + key + " rejected: " + e.getMessage());
  }

  private static byte[] readFront(FileChannel channel, int length) throws IOException {
    ByteBuffer out = ByteBuffer.allocate(length);
    while (out.hasRemaining() && channel.read(out, out.position()) >= 0) {
      // keep reading
    }
    return out.array();
  }
}
