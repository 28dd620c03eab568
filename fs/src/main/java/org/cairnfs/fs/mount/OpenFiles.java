package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The open files of a {@link MountCore}: the handle table, and the calls on a file's data
 * (open, read, write, truncate, fallocate) and on its way to the journal and the grid (flush,
 * fsync, release). Reads and writes take only the file's own lock; opens and commits a read
 * lock on the tree.
 */
final class OpenFiles {
  private final MountCore core;
  private final MountConfig config;
  private final WriteBack wb;
  private final Tree tree;
  private final Namespace ns;
  private final Map<Long, OpenFile> handles = new ConcurrentHashMap<>();
  private final AtomicLong nextHandle = new AtomicLong(1);

  OpenFiles(MountCore core, MountConfig config, WriteBack wb, Tree tree, Namespace ns) {
    this.core = core;
    this.config = config;
    this.wb = wb;
    this.tree = tree;
    this.ns = ns;
  }

  /** The grid caps of the files open now ({@link MountCore#capsInUse}). */
  Set<String> openBases() {
    Set<String> caps = new HashSet<>();
    for (OpenFile f : handles.values()) {
      f.node().data.base().ifPresent(caps::add);
    }
    return caps;
  }

  /** Creates (or with O_CREAT and no O_EXCL, opens) a regular file; returns a handle. */
  long create(String path, int mode, int flags, Caller caller) throws FsException {
    FileNode n = ns.createFile(path, mode, flags, caller);
    return openNode(n, flags | MountCore.O_CREAT, true, null);
  }


  /** Opens an existing file for {@code caller}; O_CREAT is handled by {@link #create}. */
  long open(String path, int flags, Caller caller) throws FsException {
    List<String> names = Tree.names(path);
    tree.prepare(names, false);
    FileNode f;
    tree.lock.readLock().lock();
    try {
      Node n = tree.resolve(names);
      boolean wantsWrite = (flags & MountCore.O_ACCMODE) != 0 || (flags & MountCore.O_TRUNC) != 0;
      if (n instanceof DirNode) {
        if (wantsWrite) {
          throw new FsException(FsError.IS_DIRECTORY, path + " is a directory");
        }
        throw new FsException(FsError.IS_DIRECTORY, "open a directory with opendir: " + path);
      }
      if (!(n instanceof FileNode fn)) {
        throw new FsException(FsError.INVALID, path + " is a symlink");
      }
      if (wantsWrite && !core.canChange(n)) {
        throw new FsException(FsError.READ_ONLY, path + " is on a read-only directory");
      }
      f = fn;
      Namespace.opened(f);
    } finally {
      tree.lock.readLock().unlock();
    }
    try {
      return openNode(f, flags, false, caller);
    } catch (FsException | RuntimeException e) {
      openEnded(f); // the others may have closed meanwhile: this one is then the last
      throw e;
    }
  }

  /** A handle on {@code n}, whose open the caller has already counted under the tree lock. */
  private long openNode(FileNode n, int flags, boolean created, Caller caller)
      throws FsException {
    int acc = flags & MountCore.O_ACCMODE;
    boolean readable = acc == 0 || acc == MountCore.O_RDWR;
    boolean writable = acc == MountCore.O_WRONLY || acc == MountCore.O_RDWR;
    boolean truncated = false;
    if ((flags & MountCore.O_TRUNC) != 0 && !created) {
      // read-only too, as Linux does (an empty file's times are set even so); with
      // atomic_o_trunc the kernel leaves the set-id bits to us, as its truncate would drop them
      truncateData(n, 0, caller.isRoot() ? null : caller);
      truncated = true;
    }
    boolean keepCache = n.data.openKeepsCache() && !created;
    long fh = nextHandle.getAndIncrement();
    handles.put(fh, new OpenFile(fh, n, readable, writable, (flags & MountCore.O_APPEND) != 0,
        keepCache, truncated));
    return fh;
  }


  OpenFile handle(long fh) throws FsException {
    OpenFile f = handles.get(fh);
    if (f == null) {
      throw new FsException(FsError.BAD_HANDLE, "no open file " + fh);
    }
    return f;
  }

  int read(long fh, ByteBuffer dst, long offset) throws FsException {
    OpenFile f = handle(fh);
    if (!f.readable()) {
      throw new FsException(FsError.BAD_HANDLE, "file not open for reading");
    }
    if (offset < 0) {
      throw new FsException(FsError.INVALID, "negative offset " + offset);
    }
    try {
      int n = f.node().data.read(offset, dst);
      Node node = f.node();
      Instant a = node.atime;
      Instant now = core.now();
      if (!a.isAfter(node.mtime) || !a.isAfter(node.ctime)
          || Duration.between(a, now).toHours() >= 24) {
        node.atime = now; // relatime
      }
      return n;
    } catch (GridException e) {
      throw FsException.of(e, "reading");
    } catch (IOException e) {
      throw new FsException(FsError.IO, "reading the spool: " + e.getMessage(), e);
    }
  }

  int write(long fh, ByteBuffer src, long offset) throws FsException {
    OpenFile f = handle(fh);
    if (!f.writable()) {
      throw new FsException(FsError.BAD_HANDLE, "file not open for writing");
    }
    FileNode n = f.node();
    int len = src.remaining();
    if (!f.append() && offset < 0) {
      throw new FsException(FsError.INVALID, "negative offset " + offset);
    }
    if (!f.append() && (offset + len > MountCore.MAX_FILE_SIZE || offset + len < 0)) {
      throw new FsException(FsError.TOO_BIG,
          "file would pass " + MountCore.MAX_FILE_SIZE + " bytes");
    }
    awaitRoom(n, len);
    try {
      // O_APPEND: the end is found under the file's lock, not before it
      int w = f.append() ? n.data.append(src, MountCore.MAX_FILE_SIZE) : n.data.write(offset, src);
      Instant now = core.now();
      n.mtime = now;
      n.ctime = now;
      if (n.data.openBytes() > Math.min(wb.budget.bound() / 4, MountCore.MAX_PART_BYTES)) {
        // a file written for long in one open: the uploader takes it in parts while the
        // writer goes on, so that a file larger than the cache drains instead of filling it
        if (commitNode(n) >= 0) { // an unlinked file has nothing to upload
          wb.uploader.kick(true);
        }
      }
      return w;
    } catch (GridException e) {
      throw FsException.of(e, "reading the base of a partial write");
    } catch (IOException e) {
      throw new FsException(FsError.NO_SPACE, "writing the spool: " + e.getMessage(), e);
    }
  }

  /** Backpressure: past the cache bound, waits for the uploader; ENOSPC if it cannot drain. */
  private void awaitRoom(FileNode n, int len) throws FsException {
    long need = (long) len + 2L * Layer.PAGE;
    if (!wb.budget.over(need)) {
      return;
    }
    if (n.data.hasOpenChanges()) {
      commitNode(n); // let the uploader take what this writer has so far
    }
    wb.uploader.kick(true);
    try {
      if (!wb.budget.awaitRoom(need, config.backpressureWait().toNanos())) {
        throw new FsException(FsError.NO_SPACE, "the local cache is full ("
            + wb.budget.used() + " of " + wb.budget.bound() + " bytes) and the uploader cannot"
            + " drain it" + wb.status().lastError().map(e -> ": " + e).orElse(""));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FsException(FsError.IO, "interrupted waiting for cache space");
    }
  }

  void truncate(String path, long size) throws FsException {
    List<String> names = Tree.names(path);
    tree.prepare(names, false);
    FileNode f;
    tree.lock.readLock().lock();
    try {
      Node n = tree.resolve(names);
      if (n instanceof DirNode) {
        throw new FsException(FsError.IS_DIRECTORY, path + " is a directory");
      }
      if (!(n instanceof FileNode fn)) {
        throw new FsException(FsError.INVALID, path + " is not a regular file");
      }
      if (!core.canChange(n)) {
        throw new FsException(FsError.READ_ONLY, path + " is on a read-only directory");
      }
      f = fn;
      Namespace.opened(f); // held as an open is: its listing stays until it is journaled
    } finally {
      tree.lock.readLock().unlock();
    }
    try {
      truncateData(f, size, null);
      commitNode(f);
      wb.uploader.kick(false);
    } finally {
      openEnded(f);
    }
  }

  /** Takes back an open of {@code f} that had no handle; the last one closes as release does. */
  private void openEnded(FileNode f) {
    boolean last;
    synchronized (f) {
      last = --f.openCount == 0;
    }
    if (last) {
      afterLastClose(f);
    }
  }

  void ftruncate(long fh, long size) throws FsException {
    OpenFile f = handle(fh);
    if (!f.writable()) {
      throw new FsException(FsError.INVALID, "file not open for writing");
    }
    truncateData(f.node(), size, null);
  }

  /** As {@link MountCore#fallocate}. */
  void fallocate(long fh, int mode, long offset, long length) throws FsException {
    OpenFile f = handle(fh);
    if ((mode & ~MountCore.FALLOC_KEEP_SIZE) != 0) {
      throw new FsException(FsError.NOT_SUPPORTED, "fallocate mode " + mode + " not supported");
    }
    if (offset < 0 || length <= 0) {
      throw new FsException(FsError.INVALID, "fallocate offset " + offset + " length " + length);
    }
    if (!f.writable()) {
      throw new FsException(FsError.BAD_HANDLE, "file not open for writing");
    }
    if (offset + length > MountCore.MAX_FILE_SIZE || offset + length < 0) {
      throw new FsException(FsError.TOO_BIG, "size past " + MountCore.MAX_FILE_SIZE + " bytes");
    }
    FileNode n = f.node();
    try {
      if (mode == 0) {
        n.data.growTo(offset + length);
      }
    } catch (GridException e) {
      throw FsException.of(e, "allocating");
    } catch (IOException e) {
      throw new FsException(FsError.NO_SPACE, "growing the spool: " + e.getMessage(), e);
    }
    modified(n, null); // as Linux filesystems since 5.18 (file_modified), whatever the mode
  }

  /**
   * Truncates (or extends) the file to {@code size}, then {@link #modified}: for {@code
   * dropSetIdsOf}, a caller without CAP_FSETID, that also drops the set-id bits.
   */
  private void truncateData(FileNode n, long size, Caller dropSetIdsOf) throws FsException {
    if (size < 0) {
      throw new FsException(FsError.INVALID, "negative size " + size);
    }
    if (size > MountCore.MAX_FILE_SIZE) {
      throw new FsException(FsError.TOO_BIG, "size past " + MountCore.MAX_FILE_SIZE + " bytes");
    }
    try {
      n.data.truncate(size);
    } catch (GridException e) {
      throw FsException.of(e, "truncating");
    } catch (IOException e) {
      throw new FsException(FsError.IO, "truncating the spool: " + e.getMessage(), e);
    }
    modified(n, dropSetIdsOf);
  }

  /**
   * {@link Namespace#dataChanged} as a change of its own: a journal that refuses it leaves the
   * node as it was.
   */
  private void modified(FileNode n, Caller dropSetIdsOf) throws FsException {
    NamespaceChange.run(tree, wb, c -> {
      NodeAttributes.dataChanged(c, n, dropSetIdsOf, core.now());
      return null;
    });
  }

  /** Every close; as {@link MountCore#flush}. */
  void flush(long fh) throws FsException {
    OpenFile f = handle(fh);
    if (!f.writable() && !f.truncated()) {
      return; // a reader's close: another handle's unclosed changes are not its to journal
    }
    long seq = commitNode(f.node());
    try {
      if (config.writeThrough() || config.journalForceInterval().isZero()) {
        wb.durable(seq < 0 ? wb.lastSeq() : seq);
      } // else the journal forcer makes it last a power loss within its interval
    } catch (IOException e) {
      throw new FsException(FsError.IO, "forcing the journal: " + e.getMessage(), e);
    }
    if (seq >= 0) {
      wb.uploader.kick(false);
      if (config.writeThrough()) {
        wb.uploader.awaitPublished(seq, Long.MAX_VALUE / 4);
      }
    }
  }

  /** Returns once the file and its entry are on the grid (or fails with EIO / ENOSPC). */
  void fsync(long fh) throws FsException {
    OpenFile f = handle(fh);
    long seq = commitNode(f.node());
    long upTo = seq < 0 ? wb.lastSeq() : seq;
    try {
      wb.durable(upTo);
    } catch (IOException e) {
      throw new FsException(FsError.IO, "forcing the journal: " + e.getMessage(), e);
    }
    wb.uploader.awaitPublished(upTo, Long.MAX_VALUE / 4);
  }

  /** Journals the node's sealed changes; -1 if it has none or is unlinked. */
  long commitNode(FileNode n) throws FsException {
    tree.lock.readLock().lock();
    try {
      if (n.parent == null) {
        return -1;
      }
      if (n.data.owesJournal()) {
        throw new FsException(FsError.IO, "an earlier close of " + n.name + " could not be"
            + " journaled; its closes fail until the grid holds that version (the uploader"
            + " retries) or the mount restarts without it");
      }
      if (!n.data.hasOpenChanges()) {
        return -1;
      }
      long seq = wb.commit(n, n.parent.ref, n.name);
      DirNode.changed(n.parent, seq);
      return seq;
    } catch (IOException e) {
      throw new FsException(FsError.IO, "journaling a change: " + e.getMessage(), e);
    } finally {
      tree.lock.readLock().unlock();
    }
  }

  void release(long fh) throws FsException {
    OpenFile f = handles.remove(fh);
    if (f == null) {
      throw new FsException(FsError.BAD_HANDLE, "no open file " + fh);
    }
    FileNode n = f.node();
    boolean last;
    synchronized (n) {
      last = --n.openCount == 0;
    }
    try {
      // bytes written after the handle's last flush (a shared mapping written back after
      // close(2) comes as WRITEs between FLUSH and RELEASE): journaled now, or never
      if ((f.writable() || f.truncated()) && commitNode(n) >= 0) {
        wb.uploader.kick(false);
      }
    } finally {
      if (last) {
        afterLastClose(n);
      }
    }
  }

  /** Nothing holds {@code n} open any more: a newer listed version may take its name. */
  private void afterLastClose(FileNode n) {
    tree.afterLastClose(n);
    tree.lock.readLock().lock();
    try {
      if (n.parent == null) {
        wb.forget(n.data);
      }
    } finally {
      tree.lock.readLock().unlock();
    }
  }
}
