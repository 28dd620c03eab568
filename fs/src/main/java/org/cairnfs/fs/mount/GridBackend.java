package org.cairnfs.fs.mount;

import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the mount needs from the grid, and nothing more: the seam between the mount core and the
 * grid client (fs.files, fs.dirs).
 *
 * <p>Why a seam: the mount's semantics (handles, spool, journal, uploader) are tested over an
 * in-memory implementation with failure injection, and the real grid client plugs in behind the
 * same contract. Caps travel as strings so that kinds this version does not know pass through.
 *
 * <p>Contract shared by every method:
 * <ul>
 *   <li>Asynchronous: a method returns at once; the future completes on a grid-client thread.
 *       The mount never calls back into a future's completion from under one of its own locks.
 *   <li>Errors complete the future exceptionally with a {@link GridException} whose
 *       {@link GridException.Kind} says what the mount does: retry with backoff (UNREACHABLE),
 *       report ENOSPC (NOT_HAPPY, FULL), report EIO (INTEGRITY), or treat the object as gone
 *       (NOT_FOUND). Any other exception is treated as UNREACHABLE.
 *   <li>Idempotent where it matters: {@link #writeFile} of the same content may return the same
 *       cap (convergent encryption) and {@link #applyChanges} of a batch already applied leaves
 *       the directory as it is, so the journal can replay after a crash without harm.
 * </ul>
 */
public interface GridBackend {

  /**
   * The entries of a directory with their metadata, read from the directory alone: no file
   * content is fetched, so {@code ls -l} of a large directory costs one directory read. A
   * writable directory gives its children's write caps where it holds them, else read caps.
   */
  CompletableFuture<List<RemoteEntry>> list(String directoryCap);

  /**
   * Up to {@code length} bytes of a file from {@code offset}: exactly {@code length} unless the
   * file ends first (then fewer, and none at or past the end). Verified by the grid client; an
   * integrity failure is {@link GridException.Kind#INTEGRITY}.
   */
  CompletableFuture<byte[]> read(String fileCap, long offset, int length);

  /**
   * The bytes {@code [offset, offset + length)} of a file (fewer if it ends first), fetched ahead
   * of the reader in parallel and verified; memory stays bounded whatever the length. Read
   * failures surface as {@link java.io.IOException}s from {@code read}, wrapping the grid error.
   * The default reads one {@link #read} step ahead; the grid client streams chunks in parallel.
   */
  default InputStream open(String fileCap, long offset, long length) {
    return new SequentialReads(this, fileCap, offset, length);
  }

  /**
   * Stores a new version of a file and returns its (read) cap. The new content is
   * {@link FileWrite#size()} bytes: inside the dirty ranges, bytes from the spool; elsewhere
   * below {@link FileWrite#baseLength()}, the base file's bytes; everything else zeros. A real
   * client re-uploads only the chunks the dirty ranges touch and the manifest.
   */
  CompletableFuture<String> writeFile(FileWrite write);

  /** Creates an empty directory and returns its write cap. */
  CompletableFuture<String> createDirectory();

  /**
   * Applies a batch of entry changes to one directory, atomically as seen by readers of that
   * directory (a rename inside it is one batch: a put and a remove). On a collision with another
   * writer the client re-reads and re-applies the batch (entry-level merge): a put replaces the
   * entry of that name, a remove of a missing name does nothing, a create of a taken name
   * reports {@link EntryChange.Outcome#EXISTS}.
   *
   * @return one outcome per change, as applied to the version published
   */
  CompletableFuture<List<EntryChange.Outcome>> applyChanges(String directoryCap,
      List<EntryChange> changes);

  /** Space for statfs: bytes of file data the grid can still take (already divided by n/k). */
  CompletableFuture<GridSpace> space();

  /**
   * Whether directory entries keep application extended attributes
   * ({@link NodeMetadata#xattrs()}). When false the mount refuses user xattrs with ENOTSUP,
   * always, rather than keeping them in memory where they would vanish. Xattrs came with
   * FIFOs, sockets and devices (dirnode version 3), so the mount also refuses mknod of those
   * when this is false.
   */
  boolean keepsUserXattrs();

  /**
   * Whether a file of {@code size} bytes will have a verify cap once on the grid: the grid
   * client keeps files of at most {@value org.cairnfs.caps.LiteralCap#MAX_SIZE} bytes inside
   * their cap (a literal), which has none. listxattr names {@code user.cairn.verifycap} only
   * where getxattr will answer it.
   */
  default boolean verifiable(long size) {
    return size > org.cairnfs.caps.LiteralCap.MAX_SIZE;
  }

  /**
   * Someone waits for the grid (sync, fsync, the drain at unmount): while too few servers are
   * connected for an upload, servers the client backs off from after failures are tried now
   * instead of at the end of their backoff, so a grid that came back takes the round that
   * follows. Never blocks; a client without backoff does nothing.
   */
  default void retryUnreachable() {
  }
}
