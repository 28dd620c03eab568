package org.cairnfs.fs.mount;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.dirnode.DirectoryFormatException;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.fs.mount.JournalRecord.SetEntry;

/**
 * The mounted namespace: nodes by path, listed from the grid on first use and again after the
 * directory TTL, with the journal's pending changes laid over every listing. Namespace changes
 * take the write lock, lookups the read lock; listing the grid happens with no lock held.
 */
final class Tree {
  final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  final DirNode root;
  private final AtomicLong inos = new AtomicLong(1);
  private final WriteBack wb;
  private final MountConfig config;

  Tree(WriteBack wb, MountConfig config) {
    this.wb = wb;
    this.config = config;
    Cap rootCap = Cap.parse(config.rootCap());
    if (!rootCap.isDirectory()) {
      throw new IllegalArgumentException("the mount root must be a directory cap, got a "
          + rootCap.getClass().getSimpleName());
    }
    Instant now = config.clock().instant();
    root = new DirNode(inos.getAndIncrement(), new DirRef.Cap(config.rootCap()),
        rootCap.isWritable(), true, 0755, config.ownerUid(), config.ownerGid(), now, now);
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

  static String name(String part) throws FsException {
    try {
      return EntryName.of(part).text();
    } catch (DirectoryFormatException e) {
      if (part.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > EntryName.MAX_BYTES) {
        throw new FsException(FsError.NAME_TOO_LONG, "name longer than 255 bytes");
      }
      throw new FsException(FsError.INVALID, e.getMessage());
    }
  }

  /**
   * Makes sure every directory on the way to {@code names} (and the last one too when
   * {@code listLast}) is listed and fresh. Call with no tree lock held.
   */
  void prepare(List<String> names, boolean listLast) throws FsException {
    java.util.Set<DirNode> listedNow =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (int attempt = 0; attempt < 1000; attempt++) {
      DirNode stale = null;
      lock.readLock().lock();
      try {
        Node n = root;
        int upTo = listLast ? names.size() : names.size() - 1;
        for (int i = 0; i <= upTo && n instanceof DirNode d; i++) {
          if (needsListing(d) && !(listedNow.contains(d) && d.children != null)) {
            stale = d;
            break;
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
      list(stale);
      listedNow.add(stale);
    }
    throw new FsException(FsError.IO, "directory listing keeps changing under the mount");
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

  /** Lists {@code d} from the grid and installs the listing with pending changes on top. */
  private void list(DirNode d) throws FsException {
    long before = wb.publishEpoch(d.ref);
    DirRef ref = wb.canonical(d.ref);
    List<RemoteEntry> remote = List.of();
    if (ref instanceof DirRef.Cap c) {
      try {
        remote = wb.grid.list(c.cap()).get(5, TimeUnit.MINUTES);
      } catch (Exception e) {
        if (d.children != null) {
          d.listedAtNanos = System.nanoTime(); // keep serving what we have
          return;
        }
        throw FsException.of(GridException.of(e), "listing a directory");
      }
    }
    lock.writeLock().lock();
    try {
      Optional<List<PendingState.Change>> pending = wb.changesIfNoPublishSince(d.ref, before);
      if (pending.isEmpty()) {
        return; // a publish raced the listing: list again
      }
      install(d, remote, pending.get());
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void install(DirNode d, List<RemoteEntry> remote, List<PendingState.Change> changes) {
    TreeMap<String, Node> old = d.children == null ? new TreeMap<>() : d.children;
    TreeMap<String, Node> fresh = new TreeMap<>();
    Map<String, PendingState.Change> pending = new TreeMap<>();
    for (PendingState.Change c : changes) {
      pending.put(c.name(), c);
    }
    for (RemoteEntry e : remote) {
      String name;
      try {
        name = EntryName.of(e.name()).text();
      } catch (DirectoryFormatException bad) {
        continue;
      }
      if (pending.containsKey(name)) {
        continue;
      }
      Node existing = old.get(name);
      Node n;
      if (existing != null && sameIdentity(existing, e)) {
        n = refreshed(existing, e.metadata());
      } else if (existing != null && busy(existing)) {
        n = existing; // local changes not yet journaled, or open: the local node is the truth
      } else {
        n = fromRemote(d, e);
      }
      n.parent = d;
      n.name = name;
      fresh.put(name, n);
    }
    for (PendingState.Change c : pending.values()) {
      if (d.children != null) {
        Node local = old.get(c.name());
        if (local != null) {
          fresh.put(c.name(), local);
        }
        continue;
      }
      if (c.record() instanceof SetEntry s) {
        Node n = fromPending(d, s);
        n.parent = d;
        n.name = s.name();
        fresh.put(s.name(), n);
      }
    }
    for (Map.Entry<String, Node> e : old.entrySet()) {
      if (!fresh.containsKey(e.getKey()) && !pending.containsKey(e.getKey())
          && busy(e.getValue())) {
        fresh.put(e.getKey(), e.getValue());
        continue;
      }
      if (fresh.get(e.getKey()) != e.getValue() && e.getValue().parent == d) {
        e.getValue().parent = null;
      }
    }
    d.children = fresh;
    d.listedAtNanos = System.nanoTime();
  }

  /** A file whose local state is ahead of any listing: changed since its commit, or open. */
  private static boolean busy(Node n) {
    if (!(n instanceof FileNode f)) {
      return false;
    }
    synchronized (f) {
      if (f.openCount > 0) {
        return true;
      }
    }
    return f.data.hasLocalChanges();
  }

  private boolean sameIdentity(Node n, RemoteEntry e) {
    if (n.kind() != e.metadata().kind()) {
      return false;
    }
    if (n instanceof FileNode f) {
      return !f.data.hasLocalChanges() && f.data.base().equals(e.cap());
    } else if (n instanceof DirNode d) {
      return wb.canonical(d.ref) instanceof DirRef.Cap c && e.cap().isPresent()
          && c.cap().equals(e.cap().get());
    }
    return ((SymlinkNode) n).target.equals(e.metadata().symlinkTarget().orElse(""));
  }

  private static Node refreshed(Node n, NodeMetadata m) {
    n.mode = m.mode();
    n.mtime = m.mtime();
    n.ctime = m.ctime();
    n.xattrs = new TreeMap<>(m.xattrs());
    return n;
  }

  private Node fromRemote(DirNode parent, RemoteEntry e) {
    NodeMetadata m = e.metadata();
    Node n;
    switch (m.kind()) {
      case DIRECTORY -> {
        String cap = e.cap().orElseThrow();
        boolean writable = parent.writable && isWritable(cap);
        n = new DirNode(newIno(), new DirRef.Cap(cap), writable, false, m.mode(),
            config.ownerUid(), config.ownerGid(), m.mtime(), m.ctime());
      }
      case SYMLINK -> n = new SymlinkNode(newIno(), m.symlinkTarget().orElseThrow(), m.mode(),
          config.ownerUid(), config.ownerGid(), m.mtime(), m.ctime());
      default -> n = new FileNode(newIno(), wb.newFile(e.cap(), m.size()), m.mode(),
          config.ownerUid(), config.ownerGid(), m.mtime(), m.ctime());
    }
    n.xattrs = new TreeMap<>(m.xattrs());
    return n;
  }

  private Node fromPending(DirNode parent, SetEntry s) {
    NodeMetadata m = s.meta();
    Node n;
    ChildRef c = s.child();
    if (c instanceof ChildRef.LocalDir ld) {
      n = new DirNode(newIno(), new DirRef.Local(ld.id()), parent.writable, false, m.mode(),
          config.ownerUid(), config.ownerGid(), m.mtime(), m.ctime());
    } else if (c instanceof ChildRef.Symlink) {
      n = new SymlinkNode(newIno(), m.symlinkTarget().orElse("?"), m.mode(), config.ownerUid(),
          config.ownerGid(), m.mtime(), m.ctime());
    } else if (c instanceof ChildRef.LocalFile lf) {
      FileData data = wb.fileWithId(lf.id());
      n = new FileNode(newIno(), data, m.mode(), config.ownerUid(), config.ownerGid(),
          m.mtime(), m.ctime());
    } else {
      String cap = ((ChildRef.Cap) c).cap();
      if (m.kind() == EntryKind.DIRECTORY) {
        n = new DirNode(newIno(), new DirRef.Cap(cap), parent.writable && isWritable(cap), false,
            m.mode(), config.ownerUid(), config.ownerGid(), m.mtime(), m.ctime());
      } else {
        n = new FileNode(newIno(), wb.newFile(Optional.of(cap), m.size()), m.mode(),
            config.ownerUid(), config.ownerGid(), m.mtime(), m.ctime());
      }
    }
    n.xattrs = new TreeMap<>(m.xattrs());
    return n;
  }

  private static boolean isWritable(String cap) {
    try {
      return Cap.parse(cap).isWritable();
    } catch (RuntimeException e) {
      return false;
    }
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
}
