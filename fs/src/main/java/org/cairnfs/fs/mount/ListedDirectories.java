package org.cairnfs.fs.mount;

import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;

/**
 * The directories whose listings the tree holds, and how many entries they hold together. Past
 * the mount's bound ({@link MountConfig#treeEntries}) the listings of directories that no
 * lookup went through for {@link MountConfig#treeIdle}, and whose entries are all clean, are
 * dropped, least recently used first, down to three quarters of the bound: the tree's memory
 * follows what is in use, not every entry ever visited (a {@code find} over a million files
 * would otherwise hold them all, some 700 MB). The next lookup through a dropped directory lists
 * it again, and its entries then get new inode numbers, as after another client's change.
 *
 * <p>Clean means nothing here is ahead of the grid or held: the directory has no journaled
 * change waiting to be published and no hidden (unlinked, open) file; no file in it is open,
 * changed, locked by a read or write, or waiting for a newer listing at its last close; no
 * subdirectory is listed itself (children go before parents) and no entry has an owner other
 * than the mounting user (owners live only in memory). What is lost: access times (also memory
 * only) and inode numbers. Nothing an operation uses is dropped: no listing an operation in
 * flight walked through ({@link OperationPins}), and no directory holding a file an operation
 * holds (open, or being truncated by path). Called under the tree's write lock.
 */
final class ListedDirectories {
  private final Set<DirNode> listed = new HashSet<>();
  private final WriteBack wb;
  private final MountConfig config;
  private long entries;
  private long nextScanAt;
  private long lastScanNanos = System.nanoTime();
  private long dropped;

  ListedDirectories(WriteBack wb, MountConfig config) {
    this.wb = wb;
    this.config = config;
    this.nextScanAt = config.treeEntries();
  }

  /** {@code d} got a new listing: counts its entries, then drops idle listings if over. */
  void installed(DirNode d) {
    count(d);
    d.usedAtNanos = System.nanoTime();
    if (scanDue()) {
      dropIdle(d);
    }
  }

  /**
   * Entries were made or removed here in {@code dirs} (a create, mkdir, rename...): counts them
   * (a directory made here is counted from its first entry), then drops idle listings if over.
   */
  void changed(Collection<DirNode> dirs) {
    for (DirNode d : dirs) {
      if (d.children != null) {
        count(d);
      }
    }
    if (scanDue()) {
      dropIdle(null);
    }
  }

  /**
   * Past the bound: when a quarter of it more was counted since the last scan, or the idle time
   * has passed since (listings that were busy then may be clean and idle now).
   */
  private boolean scanDue() {
    return entries > nextScanAt || entries > config.treeEntries()
        && System.nanoTime() - lastScanNanos >= config.treeIdle().toNanos();
  }

  private void count(DirNode d) {
    listed.add(d);
    int now = d.children.size();
    entries += now - d.countedEntries;
    d.countedEntries = now;
  }

  /** Drops idle clean listings, never {@code installed}'s (its lookup is about to use it). */
  private void dropIdle(DirNode installed) {
    long bound = config.treeEntries();
    long target = bound - bound / 4;
    long now = System.nanoTime();
    lastScanNanos = now;
    long idle = config.treeIdle().toNanos();
    DirNode[] byUse = listed.toArray(new DirNode[0]);
    Arrays.sort(byUse, Comparator.comparingLong(d -> d.usedAtNanos));
    for (DirNode d : byUse) {
      if (entries <= target || now - d.usedAtNanos < idle) {
        break; // the rest were used more recently
      }
      if (d == installed || d.pins.get() > 0) {
        continue;
      }
      if (clean(d)) {
        for (Node c : d.children.values()) {
          if (c.parent == d) {
            c.parent = null;
          }
        }
        d.children = null;
        forget(d);
        dropped++;
      }
    }
    // a scan that could not get below the bound waits until a quarter of it more is listed
    nextScanAt = Math.max(bound, entries + bound / 4);
  }

  private void forget(DirNode d) {
    listed.remove(d);
    entries -= d.countedEntries;
    d.countedEntries = 0;
  }

  private boolean clean(DirNode d) {
    if (d.isRoot || !d.hidden.isEmpty() || !(wb.canonical(d.ref) instanceof DirRef.Cap)
        || wb.hasPendingChanges(d.ref)) {
      return false;
    }
    for (Node c : d.children.values()) {
      if ((c.uid != config.ownerUid() || c.gid != config.ownerGid())
          && !NodeOwner.fits(c, wb.grid.keepsUserXattrs())) {
        return false; // its owner lives in memory only
      }
      if (c instanceof DirNode cd && (cd.children != null || !cd.hidden.isEmpty())) {
        return false;
      }
      if (c instanceof FileNode f && held(f)) {
        return false;
      }
    }
    return true;
  }

  /** Busy for the tree (open, changed), waiting for a newer listing, or being read or written. */
  private static boolean held(FileNode f) {
    return ListingMerge.busy(f) || f.behindGrid || f.data.locked();
  }

  /** Entries counted in listed directories (tests and status). */
  long entries() {
    return entries;
  }

  /** Listings dropped so far (tests and status). */
  long dropped() {
    return dropped;
  }
}
