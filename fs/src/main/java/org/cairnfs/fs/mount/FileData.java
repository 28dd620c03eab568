package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The content of one regular file: a base version on the grid (a cap, or none) under a stack of
 * local layers (sealed generations waiting for upload, then the open one taking writes).
 *
 * <p>Reads take the file's read lock, writes its write lock; no lock is shared between files,
 * so the data path has no global lock. Memory per call is one page plus the request. The
 * summary getters (size, base, whether changes are pending) take no lock: the tree calls them
 * under its own lock, and a read or write may hold this file's lock across a grid read.
 *
 * <p>This class keeps the state and takes the locks; reads go through a {@link LayerStack},
 * writes and truncates edit the open layer through an {@link OpenLayerEdit}, and
 * {@link SealedLayerUploads} builds what the uploader sends.
 */
final class FileData {
  private final long id;
  private final Path spoolDir;
  private final SpoolBudget budget;
  private final BaseReader baseReader;
  /** Made by the first seal (or replay); written under the write lock. */
  private SealedLayerUploads uploads;
  /**
   * Made at the first use ({@link #lock()}): a file only listed, never read or written (most of
   * a large tree), keeps no lock (about 120 bytes).
   */
  private volatile ReentrantReadWriteLock lock;

  // Written under the write lock; volatile so that the getters the tree calls under its own
  // lock (stat, listings, journaling) never wait for this file's lock, which a read or write
  // may hold across a grid read.
  private volatile Optional<String> base;
  private volatile long baseSize;
  private final List<Layer> sealed = new ArrayList<>(); // oldest first
  private volatile int sealedCount;
  private volatile long oldestSealedGen;
  /** The last closed version (cap xattrs name that one); null when nothing is sealed. */
  private volatile Layer newestSealed;
  private volatile Layer current;
  private volatile long size;
  private long nextGen;
  /** The newest sealed generation whose commit record could not be journaled; -1 if none. */
  private volatile long unjournaledGen = -1;
  /** Bumped by every local change of the content (write, truncate, replayed layers, discard). */
  private long contentEpoch;
  /** The content epoch at the last open that let the kernel cache pages; -1 before any. */
  private long cachedEpoch = -1;
  /** Layers sealed by this object so far (tests tell a mid-open commit by it). */
  private long commits;

  FileData(long id, Path spoolDir, SpoolBudget budget, BaseReader baseReader,
      Optional<String> base, long baseSize) {
    this.id = id;
    this.spoolDir = spoolDir;
    this.budget = budget;
    this.baseReader = baseReader;
    this.base = base;
    this.baseSize = baseSize;
    this.size = baseSize;
    this.nextGen = 1;
  }

  long id() {
    return id;
  }

  /** This file's lock: reads take its read lock, writes, commits and uploads its write lock. */
  ReentrantReadWriteLock lock() {
    ReentrantReadWriteLock l = lock;
    return l != null ? l : makeLock();
  }

  private synchronized ReentrantReadWriteLock makeLock() {
    if (lock == null) {
      lock = new ReentrantReadWriteLock();
    }
    return lock;
  }

  /** Whether a read or write holds this file's lock now. */
  boolean locked() {
    ReentrantReadWriteLock l = lock;
    return l != null && (l.isWriteLocked() || l.getReadLockCount() > 0);
  }

  long size() {
    return size;
  }

  Optional<String> base() {
    return base;
  }

  /** Whether any local change is not yet on the grid. */
  boolean hasLocalChanges() {
    return current != null || sealedCount > 0;
  }

  /** Whether changes were made since the last commit. */
  boolean hasOpenChanges() {
    return current != null;
  }

  /** Spool bytes held by changes made since the last commit. */
  long openBytes() {
    lock().readLock().lock();
    try {
      return current == null ? 0 : current.heldBytes();
    } finally {
      lock().readLock().unlock();
    }
  }

  long lastSealedGen() {
    Layer l = newestSealed;
    return l == null ? 0 : l.gen;
  }

  /** The size of the newest sealed layer (the last closed version); 0 when none. */
  long lastSealedSize() {
    Layer l = newestSealed;
    return l == null ? 0 : l.size;
  }

  long oldestSealedGen() {
    return oldestSealedGen;
  }

  /** Numbers the next layers above {@code gen} (at replay: the newest the grid holds). */
  void generationsAfter(long gen) {
    lock().writeLock().lock();
    try {
      nextGen = Math.max(nextGen, gen + 1);
    } finally {
      lock().writeLock().unlock();
    }
  }

  /** Adds a sealed layer found in the journal at replay (oldest first). */
  void adoptSealed(Layer layer) {
    lock().writeLock().lock();
    try {
      sealed.add(layer);
      sealedChanged();
      contentEpoch++;
      size = layer.size;
      generationsAfter(layer.gen);
      budget.add(layer.heldBytes());
      budget.seal(layer.heldBytes());
    } finally {
      lock().writeLock().unlock();
    }
  }

  /**
   * Called at every open: whether pages the kernel cached from this file at earlier opens still
   * show its content, i.e. nothing changed it since the last open (close-to-open: a change
   * made here, even through the kernel, makes the next open drop the kernel's pages). Records
   * this open as the point the kernel caches from. A file replaced on the grid is a new
   * FileData, whose first open never keeps pages.
   */
  boolean openKeepsCache() {
    lock().writeLock().lock();
    try {
      boolean keep = cachedEpoch == contentEpoch;
      cachedEpoch = contentEpoch;
      return keep;
    } finally {
      lock().writeLock().unlock();
    }
  }

  // ---- reads

  int read(long offset, ByteBuffer dst) throws IOException, GridException {
    lock().readLock().lock();
    try {
      if (offset >= size) {
        return 0;
      }
      int n = (int) Math.min(dst.remaining(), size - offset);
      ByteBuffer slice = dst.slice();
      slice.limit(n);
      LayerStack.of(current, sealed, base, baseSize, baseReader).read(offset, slice);
      dst.position(dst.position() + n);
      return n;
    } finally {
      lock().readLock().unlock();
    }
  }

  // ---- writes

  /**
   * Writes all of src at the end of the file (O_APPEND): the end is read under the file's
   * lock, so appends through several handles never overwrite each other.
   */
  int append(ByteBuffer src, long maxSize) throws IOException, GridException, FsException {
    lock().writeLock().lock();
    try {
      if (size + src.remaining() > maxSize) {
        throw new FsException(FsError.TOO_BIG, "file would pass " + maxSize + " bytes");
      }
      return write(size, src);
    } finally {
      lock().writeLock().unlock();
    }
  }

  /** Writes all of src at offset; returns the bytes written. Caller holds no file lock. */
  int write(long offset, ByteBuffer src) throws IOException, GridException {
    lock().writeLock().lock();
    try {
      int n = src.remaining();
      if (n == 0) {
        return 0;
      }
      Layer layer = openLayer();
      contentEpoch++;
      long end = offset + n;
      edit(layer).write(offset, src);
      size = Math.max(size, end);
      layer.size = size;
      return n;
    } finally {
      lock().writeLock().unlock();
    }
  }

  /** Grows the file to {@code newSize} (zeros) unless it is already that long. */
  void growTo(long newSize) throws IOException, GridException {
    lock().writeLock().lock();
    try {
      if (newSize > size) {
        truncate(newSize);
      }
    } finally {
      lock().writeLock().unlock();
    }
  }

  void truncate(long newSize) throws IOException, GridException {
    lock().writeLock().lock();
    try {
      if (newSize == size) {
        return;
      }
      Layer layer = openLayer();
      contentEpoch++;
      if (newSize < size) {
        edit(layer).shrink(newSize);
      }
      size = newSize;
      layer.size = newSize;
    } finally {
      lock().writeLock().unlock();
    }
  }

  /** Publishes the sealed list's summary for the lock-free getters; caller holds the write lock. */
  private void sealedChanged() {
    if (uploads == null && !sealed.isEmpty()) {
      uploads = new SealedLayerUploads(budget, baseReader);
    }
    sealedCount = sealed.size();
    oldestSealedGen = sealed.isEmpty() ? 0 : sealed.get(0).gen;
    newestSealed = sealed.isEmpty() ? null : sealed.get(sealed.size() - 1);
  }

  private Layer openLayer() throws IOException {
    if (current == null) {
      long gen = nextGen++;
      current = Layer.create(spoolDir.resolve(id + "." + gen), gen, size);
    }
    return current;
  }

  /** A write or truncate of the open layer, copying pages from what is below it. */
  private OpenLayerEdit edit(Layer layer) {
    return new OpenLayerEdit(layer, size, budget,
        () -> LayerStack.of(null, sealed, base, baseSize, baseReader));
  }

  // ---- commit and upload

  /** Seals the open layer; empty when nothing changed since the last commit. */
  Optional<Layer> commit(boolean force) throws IOException {
    lock().writeLock().lock();
    try {
      if (current == null) {
        return Optional.empty();
      }
      Layer l = current;
      if (force) {
        l.force();
      }
      l.seal();
      sealed.add(l);
      budget.seal(l.heldBytes());
      sealedChanged();
      current = null;
      commits++;
      return Optional.of(l);
    } finally {
      lock().writeLock().unlock();
    }
  }

  /** What the uploader sends for the sealed layers up to the newest: empty if none. */
  Optional<Upload> prepareUpload() {
    lock().readLock().lock();
    try {
      if (sealed.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(uploads.of(sealed, base, baseSize));
    } finally {
      lock().readLock().unlock();
    }
  }

  /**
   * Generation {@code gen} is sealed but its commit record failed to append (a full disk): no
   * later close of this file may claim to be journaled until the grid holds that version.
   */
  void unjournaled(long gen) {
    lock().writeLock().lock();
    try {
      unjournaledGen = Math.max(unjournaledGen, gen);
    } finally {
      lock().writeLock().unlock();
    }
  }

  boolean owesJournal() {
    return unjournaledGen >= 0;
  }

  /** The grid holds the version of generation {@code gen} as {@code cap}: drop its layers. */
  void uploaded(long gen, String cap, long uploadedSize) {
    lock().writeLock().lock();
    try {
      // the new base first: a lock-free reader that sees the layers gone must see it
      base = Optional.of(cap);
      baseSize = uploadedSize;
      if (uploads != null) {
        uploads.restart();
      }
      if (gen >= unjournaledGen) {
        unjournaledGen = -1; // the grid holds it now
      }
      while (!sealed.isEmpty() && sealed.get(0).gen <= gen) {
        Layer l = sealed.remove(0);
        budget.releaseSealed(l.heldBytes());
        l.delete();
      }
      if (current == null && sealed.isEmpty()) {
        size = uploadedSize;
      }
      sealedChanged();
    } finally {
      lock().writeLock().unlock();
    }
  }

  /** Drops every local layer (the file was unlinked and closed for the last time). */
  void discard() {
    lock().writeLock().lock();
    try {
      if (uploads != null) {
        uploads.restart();
      }
      unjournaledGen = -1;
      contentEpoch++;
      if (current != null) {
        budget.release(current.heldBytes());
        current.delete();
        current = null;
      }
      for (Layer l : sealed) {
        budget.releaseSealed(l.heldBytes());
        l.delete();
      }
      sealed.clear();
      sealedChanged();
    } finally {
      lock().writeLock().unlock();
    }
  }

  /**
   * Closes the spool files of every layer, keeping them on disk (the mount closes): the
   * process-wide descriptor bound would otherwise hold them open for the life of the process.
   */
  void closeLayers() {
    lock().writeLock().lock();
    try {
      if (current != null) {
        current.close();
      }
      for (Layer l : sealed) {
        l.close();
      }
    } finally {
      lock().writeLock().unlock();
    }
  }

  /** Forces every sealed layer to disk (before a snapshot drops inline copies). */
  void forceSealed() throws IOException {
    lock().readLock().lock();
    try {
      for (Layer l : sealed) {
        l.force();
      }
    } finally {
      lock().readLock().unlock();
    }
  }

  long commits() {
    lock().readLock().lock();
    try {
      return commits;
    } finally {
      lock().readLock().unlock();
    }
  }

  /** Base state for a journal commit record. */
  long baseSize() {
    return baseSize;
  }

  /** One upload: the generation it covers, the size, and the write for the grid. */
  record Upload(long gen, long size, FileWrite write) {}

  /** Reads a byte range of a base version (the grid, with read-ahead). */
  interface BaseReader {
    byte[] read(String cap, long offset, int length) throws GridException;
  }
}
