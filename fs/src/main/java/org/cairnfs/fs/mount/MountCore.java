package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.caps.dirnode.EntryMetadata;

/**
 * The mount core: POSIX operations on paths and handles over the grid, with no FUSE types, so
 * tests drive it without a mount. Thread-safe for a multithreaded FUSE loop: namespace changes
 * take the tree's write lock, lookups its read lock, and reads and writes of a file only that
 * file's lock. Failures are {@link FsException}s that the FUSE edge maps to errno once.
 *
 * <p>Durability: {@link #flush} (every close) returns once the file's change and its entry are
 * in the journal on disk; {@link #fsync} once they are on the grid. See docs/architecture.md.
 */
public final class MountCore implements AutoCloseable {
  public static final int O_ACCMODE = 3;
  public static final int O_WRONLY = 1;
  public static final int O_RDWR = 2;
  public static final int O_CREAT = 0100;
  public static final int O_EXCL = 0200;
  public static final int O_TRUNC = 01000;
  public static final int O_APPEND = 02000;
  public static final int RENAME_NOREPLACE = 1;
  public static final int RENAME_EXCHANGE = 2;
  public static final int XATTR_CREATE = 1;
  public static final int XATTR_REPLACE = 2;
  public static final String READCAP = "user.cairn.readcap";
  public static final String WRITECAP = "user.cairn.writecap";
  public static final String VERIFYCAP = "user.cairn.verifycap";
  /** Longest value the kernel passes (XATTR_SIZE_MAX); longer ones are ERANGE. */
  static final int MAX_XATTR_VALUE = 64 * 1024;
  /**
   * Names (UTF-8) and values of one node's user xattrs together, ENOSPC above: what one
   * directory entry holds (docs/specs/dirnode.md, version 3), less room for the owner.
   */
  static final int MAX_XATTR_TOTAL = EntryMetadata.MAX_XATTR_BYTES - NodeOwner.XATTR_BYTES;
  /** User xattrs of one node, ENOSPC above: what one directory entry holds, less the owner. */
  static final int MAX_XATTRS = EntryMetadata.MAX_XATTRS - 1;
  static final long MAX_FILE_SIZE = (long) Integer.MAX_VALUE * Layer.PAGE;
  /**
   * A file written for long in one open is committed in parts of at most this many bytes of
   * spool pages: 65 536 pages, whose runs (12 bytes each at worst) fit one journal frame.
   */
  static final long MAX_PART_BYTES = 65_536L * Layer.PAGE;

  private final MountConfig config;
  private final WriteBack wb;
  private final PieceCache readCache;
  final Tree tree;
  private final Namespace ns;
  private final NodeAttributes attrs;
  private final NodeXattrs xattrs;
  private final OpenFiles files;
  private final Lookups lookups;
  private volatile GridSpace space;
  private volatile long spaceAtNanos;

  private MountCore(MountConfig config, WriteBack wb, PieceCache readCache) {
    this.config = config;
    this.wb = wb;
    this.readCache = readCache;
    this.tree = new Tree(wb, config);
    this.ns = new Namespace(this, wb, tree);
    this.attrs = new NodeAttributes(this, ns, tree);
    this.xattrs = new NodeXattrs(this, ns, wb, tree, config);
    this.files = new OpenFiles(this, config, wb, tree, ns);
    this.lookups = new Lookups(tree, files);
    wb.uploader.onNameTaken(new TakenNames(ns, tree, wb)::taken);
  }

  /**
   * Opens a mount: locks and replays the cache dir's journal (local work only), then starts the
   * uploader, which drains what the journal held in the background.
   *
   * @throws IOException if the cache dir is locked by another mount or unreadable
   */
  public static MountCore open(MountConfig config, GridBackend grid) throws IOException {
    return open(config, grid, java.nio.channels.FileChannel::open);
  }

  /**
   * As {@link #open(MountConfig, GridBackend)}, with the journal's files opened by
   * {@code channels} (tests that make a force fail).
   */
  static MountCore open(MountConfig config, GridBackend grid, Journal.Channels channels)
      throws IOException {
    BaseReads reads = new BaseReads(grid, config.readAheadBytes());
    WriteBack wb = WriteBack.open(config, grid, reads, channels); // owns the cache dir now
    PieceCache readCache;
    try {
      readCache = PieceCache.open(config.cacheDir().resolve("read"), config.readCacheBytes());
    } catch (IOException | RuntimeException e) {
      try {
        wb.abandon();
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    reads.keepIn(readCache);
    MountCore core = new MountCore(config, wb, readCache);
    wb.start();
    return core;
  }

  public boolean readOnly() {
    return !tree.root.writable;
  }

  Instant now() {
    return config.clock().instant();
  }

  // ---- attributes

  public StatInfo getattr(String path) throws FsException {
    return lookups.getattr(path);
  }

  public StatInfo fgetattr(long fh) throws FsException {
    return lookups.fgetattr(fh);
  }

  public List<DirEntryInfo> readdir(String path) throws FsException {
    return lookups.readdir(path);
  }

  public String readlink(String path) throws FsException {
    return lookups.readlink(path);
  }

  public void access(String path, int mask, Caller caller) throws FsException {
    attrs.access(path, mask, caller);
  }

  public FsSpace statfs() throws FsException {
    GridSpace s = space;
    if (s == null || System.nanoTime() - spaceAtNanos > TimeUnit.SECONDS.toNanos(5)) {
      try {
        s = wb.grid.space().get(1, TimeUnit.MINUTES);
      } catch (Exception e) {
        if (s == null) {
          throw FsException.of(GridException.of(e), "asking the grid for space");
        }
      }
      space = s;
      spaceAtNanos = System.nanoTime();
    }
    long blocks = s.total() / FsSpace.BLOCK_SIZE;
    long free = s.free() / FsSpace.BLOCK_SIZE;
    return new FsSpace(blocks, free, 1L << 32, 1L << 31);
  }

  // ---- namespace: delegated

  public void mkdir(String path, int mode, Caller caller) throws FsException {
    ns.mkdir(path, mode, caller);
  }

  public void rmdir(String path) throws FsException {
    ns.rmdir(path);
  }

  public void unlink(String path) throws FsException {
    ns.unlink(path);
  }

  public void rename(String from, String to, int flags) throws FsException {
    ns.rename(from, to, flags);
  }

  public void symlink(String target, String path, Caller caller) throws FsException {
    ns.symlink(target, path, caller);
  }

  /** Makes a FIFO, socket or device node: kept as an entry, opened by the kernel. */
  public void mknod(String path, EntryKind kind, int mode, long rdev, Caller caller)
      throws FsException {
    ns.mknod(path, kind, mode, rdev, caller);
  }

  /** Hard links are not supported on the grid. */
  public void link(String from, String to) throws FsException {
    throw new FsException(FsError.NOT_PERMITTED, "hard links are not supported");
  }

  public void chmod(String path, int mode) throws FsException {
    attrs.chmod(path, mode);
  }

  public void chown(String path, int uid, int gid, Caller caller) throws FsException {
    attrs.chown(path, uid, gid, caller);
  }

  public void utimens(String path, TimeSpec atime, TimeSpec mtime) throws FsException {
    attrs.utimens(path, atime, mtime);
  }

  /** As the mounting user asks (in-process callers, tests). */
  public byte[] getxattr(String path, String name) throws FsException {
    return getxattr(path, name, mountingUser());
  }

  /**
   * An attribute; the cap attributes ({@code user.cairn.*}) only to the mounting user and root:
   * a cap grants what it names whatever the modes say, so another local user who may read a
   * directory must not get its caps through the mount ({@link FsError#ACCESS_DENIED}).
   */
  public byte[] getxattr(String path, String name, Caller caller) throws FsException {
    return xattrs.getxattr(path, name, caller);
  }

  /** As the mounting user asks (in-process callers, tests). */
  public List<String> listxattr(String path) throws FsException {
    return listxattr(path, mountingUser());
  }

  /** The attribute names; the cap attributes only for the mounting user and root. */
  public List<String> listxattr(String path, Caller caller) throws FsException {
    return xattrs.listxattr(path, caller);
  }

  private Caller mountingUser() {
    return new Caller(config.ownerUid(), config.ownerGid());
  }

  public void setxattr(String path, String name, byte[] value, int flags) throws FsException {
    xattrs.setxattr(path, name, value, flags);
  }

  public void removexattr(String path, String name) throws FsException {
    xattrs.removexattr(path, name);
  }

  // ---- files

  /** Creates (or with O_CREAT and no O_EXCL, opens) a regular file; returns a handle. */
  public long create(String path, int mode, int flags, Caller caller) throws FsException {
    return files.create(path, mode, flags, caller);
  }

  /** Opens an existing file as root; O_CREAT is handled by {@link #create}. */
  public long open(String path, int flags) throws FsException {
    return files.open(path, flags, new Caller(0, 0));
  }

  /** Opens an existing file for {@code caller}; O_CREAT is handled by {@link #create}. */
  public long open(String path, int flags, Caller caller) throws FsException {
    return files.open(path, flags, caller);
  }

  /**
   * Whether the kernel may keep the pages it cached from this handle's file before it was
   * opened: only when the content is unchanged since the previous open, here or on the grid
   * (docs/architecture.md, "Kernel page cache"). Otherwise the open drops them.
   */
  public boolean keepCache(long fh) throws FsException {
    return files.handle(fh).keepCache();
  }

  OpenFile handle(long fh) throws FsException {
    return files.handle(fh);
  }

  public int read(long fh, ByteBuffer dst, long offset) throws FsException {
    return files.read(fh, dst, offset);
  }

  public int write(long fh, ByteBuffer src, long offset) throws FsException {
    return files.write(fh, src, offset);
  }

  public void truncate(String path, long size) throws FsException {
    files.truncate(path, size);
  }

  public void ftruncate(long fh, long size) throws FsException {
    files.ftruncate(fh, size);
  }

  /** fallocate(2)'s {@code FALLOC_FL_KEEP_SIZE}. */
  public static final int FALLOC_KEEP_SIZE = 0x01;

  /**
   * fallocate(2) on an open handle: mode 0 grows the file to {@code offset + length} (zeros, as
   * a sparse truncate would; the grid reserves no space, so a later write can still meet a full
   * grid), {@code FALLOC_KEEP_SIZE} checks its arguments and changes no byte; both update mtime
   * and ctime. Punching holes, zeroing, collapsing and inserting ranges are not supported
   * (EOPNOTSUPP, as tmpfs for some).
   */
  public void fallocate(long fh, int mode, long offset, long length) throws FsException {
    files.fallocate(fh, mode, offset, length);
  }

  /**
   * Every close: seals the file's changes and journals them with its entry; returns once that
   * is in the journal (a kill of the mount loses nothing; on the disk within the journal force
   * interval, or at once when that is zero; with --write-through, on the grid).
   */
  public void flush(long fh) throws FsException {
    files.flush(fh);
  }

  /** Returns once the file and its entry are on the grid (or fails with EIO / ENOSPC). */
  public void fsync(long fh, boolean dataOnly) throws FsException {
    files.fsync(fh);
  }

  public void release(long fh) throws FsException {
    files.release(fh);
  }

  // ---- write-back

  /** Waits until everything journaled so far is on the grid. */
  public void sync(Duration timeout) throws FsException {
    wb.uploader.awaitPublished(wb.lastSeq(), timeout.toNanos());
  }

  public MountStatus status() {
    return wb.status();
  }

  /**
   * The grid caps this mount may still read or link: every directory and file its tree holds
   * (a listing may be served a while after another client changed it) and what open files read,
   * removed or not (an unlinked file stays readable until its last close). A collector keeps
   * these.
   */
  public Set<String> capsInUse() {
    Set<String> caps = tree.caps();
    caps.addAll(files.openBases());
    return caps;
  }

  /**
   * Drains for up to {@code timeout}, reporting progress about once a second, then stops the
   * uploader and closes the journal. What could not be uploaded stays journaled for the next
   * mount. The first round is asked for at once; while rounds fail, the uploader retries at its
   * backoff (asking again after each failure would retry in a tight loop for the whole
   * timeout). An interrupt stops the drain; the journal is still closed, and the interrupt kept.
   *
   * @return the status at the end: clean, or what stays pending
   */
  public MountStatus close(Duration timeout, Consumer<MountStatus> progress) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean interrupted = Thread.interrupted();
    boolean first = true;
    try {
      while (!interrupted) {
        MountStatus s = wb.status();
        progress.accept(s);
        if (s.clean() || System.nanoTime() > deadline) {
          break;
        }
        long wait = Math.min(TimeUnit.SECONDS.toNanos(1), deadline - System.nanoTime());
        try {
          if (first || !wb.uploader.failing()) {
            wb.uploader.awaitPublished(wb.lastSeq(), wait);
          } else {
            wb.uploader.awaitRound(wait);
          }
        } catch (FsException e) {
          // a round failed or the wait ran out: the loop's checks decide
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        first = false;
        interrupted = Thread.interrupted(); // awaitPublished keeps it as it fails
      }
      MountStatus end = wb.status();
      tree.storeRootAttributes();
      tree.close();
      readCache.close();
      wb.close(); // with the interrupt cleared: the journal's channel would close on it
      return end;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() throws IOException {
    close(Duration.ofSeconds(30), s -> { });
  }

  /** Drops the core as a killed process would: no drain, journal left as it is (tests). */
  void crash() throws IOException {
    tree.close();
    readCache.close();
    wb.abandon();
  }

  /**
   * Whether a node's entry may change: its directory is writable (a directory: itself); an
   * unlinked node still open changes in memory on a writable mount. Call under a tree lock.
   */
  boolean canChange(Node n) {
    if (n.parent != null) {
      return n.parent.writable;
    }
    return n instanceof DirNode d ? d.writable : tree.root.writable;
  }

  WriteBack writeBack() {
    return wb;
  }
}
