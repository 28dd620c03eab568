package org.cairnfs.fs.mount;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.dirnode.DirectoryFormatException;
import org.cairnfs.caps.dirnode.EntryName;

/**
 * The mounted namespace: nodes by path, listed from the grid on first use and again after the
 * directory TTL, with the journal's pending changes laid over every listing
 * ({@link ListingMerge}). Namespace changes take the write lock, lookups the read lock; listing
 * the grid happens with no lock held.
 *
 * <p>A directory listed before and past its TTL is served as it is while one background
 * listing refreshes it ({@link BackgroundListings}), for up to {@link #STALE_WINDOW} past the
 * TTL: a lookup in a directory in use does not wait for the grid, and another client's change
 * still shows within the TTL, the window and one listing. A listing older than that (an idle
 * mount) is refreshed in the caller, as is every listing with a TTL of zero. Listings install
 * in the order they started, so a slow older one never replaces a newer one.
 *
 * <p>A file open here when a listing finds another version under its name keeps the name
 * until its last close (its handles read the version they opened); then the listed version
 * takes the name, with no further listing ({@link #afterLastClose}).
 */
final class Tree {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Tree.class);
  /** How long past its TTL a listing may still answer while a newer one is fetched. */
  static final java.time.Duration STALE_WINDOW = java.time.Duration.ofSeconds(1);
  /** The directories operations walked through, until they release the tree lock. */
  final OperationPins pins = new OperationPins();
  final TreeLock lock = new TreeLock(pins);
  final BackgroundListings background = new BackgroundListings();
  /** Listings a lookup waited for (tests and status). */
  final AtomicLong waitedListings = new AtomicLong();
  /** Listings started, in order: a listing installs only over an older one. */
  private final AtomicLong listingTickets = new AtomicLong();
  final DirNode root;
  private final AtomicLong inos = new AtomicLong(1);
  private final EntryNodes nodes;
  private final ListingMerge merge;
  /** Listings held, dropped when idle past the bound; under the write lock. */
  final ListedDirectories listed;
  private final WriteBack wb;
  private final MountConfig config;

  Tree(WriteBack wb, MountConfig config) {
    this.wb = wb;
    this.config = config;
    this.nodes = new EntryNodes(wb, config, this::newIno);
    this.merge = new ListingMerge(wb, nodes);
    this.listed = new ListedDirectories(wb, config);
    Cap rootCap = Cap.parse(config.rootCap());
    if (!rootCap.isDirectory()) {
      throw new IllegalArgumentException("the mount root must be a directory cap, got a "
          + rootCap.getClass().getSimpleName());
    }
    Instant now = config.clock().instant();
    root = new DirNode(inos.getAndIncrement(), new DirRef.Cap(config.rootCap()),
        rootCap.isWritable(), true, 0755, config.ownerUid(), config.ownerGid(), now, now);
    RootAttributes.load(config.cacheDir(), root);
  }

  /** Keeps the root's times as they are now (its mode and owner were kept as they changed). */
  void storeRootAttributes() {
    if (!root.writable) {
      return;
    }
    lock.readLock().lock();
    try {
      RootAttributes.store(config.cacheDir(), root, true); // a torn file would show 0755
    } catch (IOException e) {
      LOG.warn("the mount root's times were not kept: {}", e.toString());
    } finally {
      lock.readLock().unlock();
    }
  }

  long newIno() {
    return inos.getAndIncrement();
  }

  /** Splits an absolute path into normalized names. */
  static List<String> names(String path) throws FsException {
    List<String> out = new ArrayList<>();
    if (path == null || !path.startsWith("/")) {
      throw new FsException(FsError.INVALID, "not an absolute path: " + path);
    }
    for (String part : path.split("/")) {
      if (!part.isEmpty()) {
        out.add(name(part));
      }
    }
    return out;
  }

  /**
   * The last name of a path that is about to be made (create, mkdir, symlink, rename's target):
   * refused when it holds U+FFFD, which is what the FUSE binding makes of bytes that are not
   * UTF-8, so that two such names never become one. Existing names stay reachable.
   */
  static String newName(List<String> names) throws FsException {
    String name = names.isEmpty() ? "" : names.get(names.size() - 1);
    if (name.indexOf('\uFFFD') >= 0) {
      throw new FsException(FsError.INVALID, "name is not valid UTF-8: " + name);
    }
    return name;
  }

  static String name(String part) throws FsException {
    try {
      return EntryName.of(part).text();
    } catch (DirectoryFormatException e) {
      if (bytesGiven(part) > EntryName.MAX_BYTES) {
        throw new FsException(FsError.NAME_TOO_LONG, "name longer than 255 bytes");
      }
      throw new FsException(FsError.INVALID, e.getMessage());
    }
  }

  /**
   * The name's length as the caller gave it, at least: each U+FFFD counts one byte, since the
   * binding makes one of each byte that is not UTF-8 (a 100-byte name of such bytes is invalid,
   * EINVAL, not 300 bytes long).
   */
  private static long bytesGiven(String part) {
    long replaced = part.chars().filter(c -> c == '\uFFFD').count();
    return part.getBytes(java.nio.charset.StandardCharsets.UTF_8).length - 2 * replaced;
  }

  /**
   * Makes sure every directory on the way to {@code names} (and the last one too when
   * {@code listLast}) is listed and fresh. Call with no tree lock held.
   */
  void prepare(List<String> names, boolean listLast) throws FsException {
    pins.begin();
    try {
      prepareListed(names, listLast);
    } catch (FsException | RuntimeException | Error e) {
      pins.abort();
      throw e;
    }
    pins.arm();
  }

  private void prepareListed(List<String> names, boolean listLast) throws FsException {
    java.util.Set<DirNode> listedNow =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (int attempt = 0; attempt < 1000; attempt++) {
      DirNode stale = null;
      lock.readLock().lock();
      try {
        Node n = root;
        int upTo = listLast ? names.size() : names.size() - 1;
        long now = System.nanoTime();
        for (int i = 0; i <= upTo && n instanceof DirNode d; i++) {
          d.usedAtNanos = now;
          pins.pin(d); // kept until the caller has resolved through it under the lock
          if (needsListing(d) && !(listedNow.contains(d) && d.children != null)) {
            if (d.children != null && !config.directoryTtl().isZero() && !tooOld(d, now)) {
              background.refresh(d, () -> list(d));
            } else {
              stale = d;
              break;
            }
          }
          if (i == names.size()) {
            break;
          }
          n = d.children.get(names.get(i));
        }
      } finally {
        lock.readLock().unlock();
      }
      if (stale == null) {
        return;
      }
      waitedListings.incrementAndGet();
      list(stale);
      listedNow.add(stale);
    }
    throw new FsException(FsError.IO, "directory listing keeps changing under the mount");
  }

  /** Stops background listings (the mount is closing) and logs how many listings it made. */
  void close() {
    background.close();
    LOG.info("directory listings: {} in the caller, {} in the background", waitedListings.get(),
        background.listings.get());
  }

  /**
   * Whether {@code d}'s listing is too old to answer from while a newer one is fetched: asked of
   * the grid more than {@link #STALE_WINDOW} past the TTL. Why: an idle mount's first lookup was
   * answered from a listing of any age, so a name another client had made minutes before was
   * missing, and an O_EXCL create or a mkdir of it succeeded and replaced that client's entry.
   */
  private boolean tooOld(DirNode d, long now) {
    return now - d.listedAtNanos > config.directoryTtl().toNanos() + STALE_WINDOW.toNanos();
  }

  /** Makes {@code d}'s listing just past its TTL: the next lookup refreshes it (tests). */
  void expire(DirNode d) {
    d.listedAtNanos = System.nanoTime() - config.directoryTtl().toNanos() - 1_000_000;
  }

  /** Makes {@code d}'s listing too old to answer from: the next lookup lists in the caller. */
  void outdate(DirNode d) {
    d.listedAtNanos = System.nanoTime() - config.directoryTtl().toNanos()
        - STALE_WINDOW.toNanos() - 1_000_000;
  }

  private boolean needsListing(DirNode d) {
    if (d.children == null) {
      return true;
    }
    if (!(wb.canonical(d.ref) instanceof DirRef.Cap)) {
      return false; // not on the grid yet: the local view is all there is
    }
    return System.nanoTime() - d.listedAtNanos > config.directoryTtl().toNanos();
  }

  /**
   * Lists {@code d} from the grid and installs the listing with pending changes on top.
   *
   * @return false when a publish to {@code d} began or ended meanwhile: the listing was
   *     dropped, list again
   */
  private boolean list(DirNode d) throws FsException {
    long ticket = listingTickets.incrementAndGet();
    long started = System.nanoTime();
    long before = wb.publishEpoch(d.ref);
    DirRef ref = wb.canonical(d.ref);
    List<RemoteEntry> remote = List.of();
    if (ref instanceof DirRef.Cap c) {
      try {
        remote = wb.grid.list(c.cap()).get(5, TimeUnit.MINUTES);
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        lock.writeLock().lock();
        try {
          if (d.children != null) {
            d.listedAtNanos = System.nanoTime(); // keep serving what we have for a TTL
            return true;
          }
        } finally {
          lock.writeLock().unlock();
        }
        throw FsException.of(GridException.of(e), "listing a directory");
      }
    }
    lock.writeLock().lock();
    try {
      if (d.children != null && ticket < d.listingTicket) {
        return true; // a listing that started later is installed already
      }
      Optional<List<PendingState.Change>> pending = wb.changesIfNoPublishSince(d.ref, before);
      if (pending.isEmpty()) {
        return false; // a publish raced the listing: list again
      }
      merge.install(d, remote, pending.get(), before);
      d.listingTicket = ticket;
      d.listedAtNanos = started; // the TTL counts from when the grid was asked
      listed.installed(d);
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * At a file's last close: when a listing found another version under its name (or none)
   * while it was open, that version takes the name now, so the next open reads it without
   * waiting for another listing. Not when the file changed here meanwhile (the local version
   * will be published over it) or the name has a pending change; when the directory was
   * published since that listing, its listing is expired instead, so the next lookup relists.
   */
  void afterLastClose(FileNode f) {
    if (!f.behindGrid) {
      return;
    }
    lock.writeLock().lock();
    try {
      synchronized (f) {
        if (!f.behindGrid || f.openCount > 0) {
          return; // reopened: its new last close decides
        }
        f.behindGrid = false;
      }
      RemoteEntry e = f.gridEntry;
      f.gridEntry = null;
      DirNode d = f.parent;
      if (d == null || d != f.gridDir || !f.name.equals(f.gridName) || d.children == null
          || d.children.get(f.name) != f || f.data.hasLocalChanges()) {
        f.gridDir = null; // renamed since that listing: the note was about another place
        return;
      }
      Optional<List<PendingState.Change>> pending =
          wb.changesIfNoPublishSince(d.ref, f.gridEpoch);
      if (pending.isEmpty()) {
        d.listedAtNanos = System.nanoTime() - config.directoryTtl().toNanos() - 1;
        return;
      }
      for (PendingState.Change c : pending.get()) {
        if (c.name().equals(f.name)) {
          return;
        }
      }
      d.children.remove(f.name);
      if (e != null) {
        Node n = nodes.fromRemote(d, e);
        n.parent = d;
        n.name = f.name;
        d.children.put(f.name, n);
      }
      f.parent = null;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * The children of {@code d}, which a prepare listed; a listing that is not there fails (EIO)
   * rather than reading as empty. Call under a tree lock.
   */
  static Map<String, Node> listing(DirNode d, String path) throws FsException {
    if (d.children == null) {
      throw new FsException(FsError.IO, "directory not listed: " + path);
    }
    return d.children;
  }

  /** The node at {@code names}; call under a tree lock after {@link #prepare}. */
  Node resolve(List<String> names) throws FsException {
    Node n = root;
    for (String name : names) {
      if (!(n instanceof DirNode d)) {
        throw new FsException(FsError.NOT_DIRECTORY, "not a directory on the way to " + name);
      }
      if (d.children == null) {
        throw new FsException(FsError.IO, "directory not listed");
      }
      Node child = d.children.get(name);
      n = child != null ? child : d.hidden.get(name);
      if (n == null) {
        throw new FsException(FsError.NOT_FOUND, "no such entry: " + name);
      }
    }
    return n;
  }

  /** The directory that holds the last name of {@code names}. */
  DirNode parentOf(List<String> names) throws FsException {
    Node p = resolve(names.subList(0, names.size() - 1));
    if (!(p instanceof DirNode d)) {
      throw new FsException(FsError.NOT_DIRECTORY, "parent is not a directory");
    }
    if (d.children == null) {
      throw new FsException(FsError.IO, "directory not listed");
    }
    return d;
  }

  /**
   * The grid caps of every directory and file this tree holds now (listed or hidden): what the
   * mount may still read or link (MountCore#capsInUse).
   */
  Set<String> caps() {
    Set<String> caps = new HashSet<>();
    List<DirRef> refs = new ArrayList<>();
    ArrayDeque<DirNode> dirs = new ArrayDeque<>();
    lock.readLock().lock();
    try {
      dirs.push(root);
      while (!dirs.isEmpty()) {
        DirNode d = dirs.pop();
        refs.add(d.ref);
        List<Node> nodes = new ArrayList<>(d.hidden.values());
        if (d.children != null) {
          nodes.addAll(d.children.values());
        }
        for (Node n : nodes) {
          if (n instanceof DirNode sub) {
            dirs.push(sub);
          } else if (n instanceof FileNode f) {
            f.data.base().ifPresent(caps::add);
          }
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    for (DirRef ref : refs) { // a local directory's cap once it has one; outside the tree lock
      if (wb.canonical(ref) instanceof DirRef.Cap c) {
        caps.add(c.cap());
      }
    }
    return caps;
  }
}
