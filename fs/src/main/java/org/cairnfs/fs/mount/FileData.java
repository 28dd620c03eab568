package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
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
 */
final class FileData {
  private final long id;
  private final Path spoolDir;
  private final SpoolBudget budget;
  private final BaseReader baseReader;
  final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  // Written under the write lock; volatile so that the getters the tree calls under its own
  // lock (stat, listings, journaling) never wait for this file's lock, which a read or write
  // may hold across a grid read.
  private volatile Optional<String> base;
  private volatile long baseSize;
  private final List<Layer> sealed = new ArrayList<>(); // oldest first
  private volatile int sealedCount;
  private volatile long oldestSealedGen;
  private volatile long newestSealedGen;
  private volatile Layer current;
  private volatile long size;
  private long nextGen;
  /** The newest sealed generation whose commit record could not be journaled; -1 if none. */
  private volatile long unjournaledGen = -1;
  /** How far uploads read since the last one finished (see readFurther). */
  private final java.util.concurrent.atomic.AtomicLong readFurthest =
      new java.util.concurrent.atomic.AtomicLong();
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
    lock.readLock().lock();
    try {
      return current == null ? 0 : current.heldBytes();
    } finally {
      lock.readLock().unlock();
    }
  }

  long lastSealedGen() {
    return newestSealedGen;
  }

  long oldestSealedGen() {
    return oldestSealedGen;
  }

  /** Adds a sealed layer found in the journal at replay (oldest first). */
  void adoptSealed(Layer layer) {
    lock.writeLock().lock();
    try {
      sealed.add(layer);
      sealedChanged();
      contentEpoch++;
      size = layer.size;
      nextGen = Math.max(nextGen, layer.gen + 1);
      budget.add(layer.heldBytes());
      budget.seal(layer.heldBytes());
    } finally {
      lock.writeLock().unlock();
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
    lock.writeLock().lock();
    try {
      boolean keep = cachedEpoch == contentEpoch;
      cachedEpoch = contentEpoch;
      return keep;
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ---- reads

  int read(long offset, ByteBuffer dst) throws IOException, GridException {
    lock.readLock().lock();
    try {
      if (offset >= size) {
        return 0;
      }
      int n = (int) Math.min(dst.remaining(), size - offset);
      ByteBuffer slice = dst.slice();
      slice.limit(n);
      List<Layer> stack = new ArrayList<>(sealed.size() + 1);
      if (current != null) {
        stack.add(current);
      }
      for (int i = sealed.size() - 1; i >= 0; i--) {
        stack.add(sealed.get(i));
      }
      readStack(stack, base, baseSize, offset, slice);
      dst.position(dst.position() + n);
      return n;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Reads {@code dst.remaining()} bytes at {@code offset} through layers (newest first) and the
   * base. The caller keeps the range inside the file.
   */
  private void readStack(List<Layer> stack, Optional<String> b, long bSize, long offset,
      ByteBuffer dst) throws IOException, GridException {
    long pos = offset;
    long end = offset + dst.remaining();
    while (pos < end) {
      // the run of pages from pos that the same layer (or the base) answers: one read each
      int h = holderIndex(stack, pos / Layer.PAGE);
      long runEnd = Math.min(end, (pos / Layer.PAGE + 1) * Layer.PAGE);
      while (runEnd < end && holderIndex(stack, runEnd / Layer.PAGE) == h) {
        runEnd = Math.min(end, runEnd + Layer.PAGE);
      }
      long limit = Long.MAX_VALUE; // the truncations of the layers above the holder
      for (int i = 0; i < (h < 0 ? stack.size() : h); i++) {
        limit = Math.min(limit, stack.get(i).limit);
      }
      if (h < 0) {
        readBase(b, pos, runEnd, Math.min(limit, bSize), dst);
      } else {
        ByteBuffer part = dst.slice();
        part.limit((int) (runEnd - pos));
        stack.get(h).readAt(part, pos);
        zeroFrom(dst, pos, runEnd, limit);
        dst.position(dst.position() + (int) (runEnd - pos));
      }
      pos = runEnd;
    }
  }

  /** The index of the newest layer of the stack holding the page, or -1 (the base). */
  private static int holderIndex(List<Layer> stack, long page) {
    for (int i = 0; i < stack.size(); i++) {
      if (stack.get(i).holds(page)) {
        return i;
      }
    }
    return -1;
  }

  /** Zeros the bytes at or past {@code limit} of the part [from, to) just read into dst. */
  private static void zeroFrom(ByteBuffer dst, long from, long to, long limit) {
    if (limit >= to) {
      return;
    }
    int start = dst.position() + (int) Math.max(0, limit - from);
    int stop = dst.position() + (int) (to - from);
    for (int i = start; i < stop; i++) {
      dst.put(i, (byte) 0);
    }
  }

  private void readBase(Optional<String> b, long from, long to, long valid, ByteBuffer dst)
      throws GridException {
    int n = (int) (to - from);
    int fromBase = (int) Math.max(0, Math.min(to, valid) - from);
    if (fromBase > 0 && b.isPresent()) {
      byte[] bytes = baseReader.read(b.get(), from, fromBase);
      dst.put(dst.position(), bytes, 0, Math.min(bytes.length, fromBase));
      for (int i = bytes.length; i < fromBase; i++) {
        dst.put(dst.position() + i, (byte) 0);
      }
    } else {
      fromBase = 0;
    }
    for (int i = fromBase; i < n; i++) {
      dst.put(dst.position() + i, (byte) 0);
    }
    dst.position(dst.position() + n);
  }

  // ---- writes

  /**
   * Writes all of src at the end of the file (O_APPEND): the end is read under the file's
   * lock, so appends through several handles never overwrite each other.
   */
  int append(ByteBuffer src, long maxSize) throws IOException, GridException, FsException {
    lock.writeLock().lock();
    try {
      if (size + src.remaining() > maxSize) {
        throw new FsException(FsError.TOO_BIG, "file would pass " + maxSize + " bytes");
      }
      return write(size, src);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Writes all of src at offset; returns the bytes written. Caller holds no file lock. */
  int write(long offset, ByteBuffer src) throws IOException, GridException {
    lock.writeLock().lock();
    try {
      int n = src.remaining();
      if (n == 0) {
        return 0;
      }
      Layer layer = openLayer();
      contentEpoch++;
      long end = offset + n;
      long first = offset / Layer.PAGE;
      long last = (end - 1) / Layer.PAGE;
      if (last >= Integer.MAX_VALUE) {
        throw new IllegalArgumentException("file offset past the spool's page range");
      }
      // whole pages: held at once; the partial first and last ones copy what is below first
      long wholeFrom = offset % Layer.PAGE == 0 ? first : first + 1;
      long wholeTo = end % Layer.PAGE == 0 ? last + 1 : last; // exclusive
      if (first < wholeFrom && !layer.holds(first)) {
        materialize(layer, first);
      }
      if (last >= wholeTo && last >= wholeFrom && !layer.holds(last)) {
        materialize(layer, last);
      }
      if (wholeTo > wholeFrom) {
        int from = (int) wholeFrom;
        int to = (int) wholeTo;
        int already = layer.pages.get(from, to).cardinality();
        layer.pages.set(from, to);
        budget.add((long) (to - from - already) * Layer.PAGE);
      }
      layer.writeAt(src, offset);
      size = Math.max(size, end);
      layer.size = size;
      return n;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Grows the file to {@code newSize} (zeros) unless it is already that long. */
  void growTo(long newSize) throws IOException, GridException {
    lock.writeLock().lock();
    try {
      if (newSize > size) {
        truncate(newSize);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  void truncate(long newSize) throws IOException, GridException {
    lock.writeLock().lock();
    try {
      if (newSize == size) {
        return;
      }
      Layer layer = openLayer();
      contentEpoch++;
      if (newSize < size) {
        long firstGone = (newSize + Layer.PAGE - 1) / Layer.PAGE;
        int from = (int) Math.min(Integer.MAX_VALUE, firstGone);
        int released = layer.pages.get(from, Math.max(from, layer.pages.length())).cardinality();
        layer.pages.clear(from, Math.max(from, layer.pages.length()));
        budget.release((long) released * Layer.PAGE);
        if (newSize % Layer.PAGE != 0) {
          long page = newSize / Layer.PAGE;
          if (!layer.holds(page)) {
            materialize(layer, page);
          }
          long pageEnd = (page + 1) * Layer.PAGE;
          layer.writeAt(ByteBuffer.allocate((int) (pageEnd - newSize)), newSize);
        }
        layer.limit = Math.min(layer.limit, newSize);
      }
      size = newSize;
      layer.size = newSize;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Publishes the sealed list's summary for the lock-free getters; caller holds the write lock. */
  private void sealedChanged() {
    sealedCount = sealed.size();
    oldestSealedGen = sealed.isEmpty() ? 0 : sealed.get(0).gen;
    newestSealedGen = sealed.isEmpty() ? 0 : sealed.get(sealed.size() - 1).gen;
  }

  private Layer openLayer() throws IOException {
    if (current == null) {
      long gen = nextGen++;
      current = Layer.create(spoolDir.resolve(id + "." + gen), gen, size);
    }
    return current;
  }

  /** The page is below Integer.MAX_VALUE: write checks its last page, a truncate shrinks. */
  private void hold(Layer layer, long page) {
    layer.pages.set((int) page);
    budget.add(Layer.PAGE);
  }

  /** Copies a page's current content (as the layers below and the base show it) into layer. */
  private void materialize(Layer layer, long page) throws IOException, GridException {
    long ps = page * Layer.PAGE;
    ByteBuffer buf = ByteBuffer.allocate(Layer.PAGE);
    long inFile = Math.max(0, Math.min(Layer.PAGE, size - ps));
    if (inFile > 0) {
      List<Layer> below = new ArrayList<>(sealed.size());
      for (int i = sealed.size() - 1; i >= 0; i--) {
        below.add(sealed.get(i));
      }
      ByteBuffer part = buf.slice();
      part.limit((int) inFile);
      // the open layer's limit applies to everything below it
      readStack(below, base, baseSize, ps, part);
      zeroFrom(buf, ps, ps + inFile, layer.limit);
    }
    buf.clear();
    layer.writeAt(buf, ps);
    hold(layer, page);
  }

  // ---- commit and upload

  /** Seals the open layer; empty when nothing changed since the last commit. */
  Optional<Layer> commit(boolean force) throws IOException {
    lock.writeLock().lock();
    try {
      if (current == null) {
        return Optional.empty();
      }
      Layer l = current;
      if (force) {
        l.force();
      }
      l.sealed = true;
      sealed.add(l);
      budget.seal(l.heldBytes());
      sealedChanged();
      current = null;
      commits++;
      return Optional.of(l);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** What the uploader sends for the sealed layers up to the newest: empty if none. */
  Optional<Upload> prepareUpload() {
    lock.readLock().lock();
    try {
      if (sealed.isEmpty()) {
        return Optional.empty();
      }
      List<Layer> upTo = List.copyOf(sealed);
      Layer top = upTo.get(upTo.size() - 1);
      long limit = Long.MAX_VALUE;
      BitSet all = new BitSet();
      for (Layer l : upTo) {
        limit = Math.min(limit, l.limit);
        all.or(l.pages);
      }
      long fileSize = top.size;
      long baseLen = base.isPresent() ? Math.min(baseSize, Math.min(limit, fileSize)) : 0;
      List<FileWrite.Range> ranges = new ArrayList<>();
      for (PageRun r : PageRun.of(all)) {
        long from = r.start() * Layer.PAGE;
        long to = Math.min(fileSize, (r.start() + r.count()) * Layer.PAGE);
        if (to > from) {
          ranges.add(new FileWrite.Range(from, to - from));
        }
      }
      List<Layer> newestFirst = new ArrayList<>(upTo);
      java.util.Collections.reverse(newestFirst);
      Optional<String> b = base;
      long bSize = baseSize;
      FileWrite.Source source = (off, dst) -> {
        try {
          long end = off + dst.remaining();
          readStack(newestFirst, b, bSize, off, dst);
          if (readFurther(end)) {
            budget.progressed();
          }
        } catch (GridException e) {
          throw new IOException("reading the base of a file being uploaded: " + e.getMessage(),
              e);
        }
      };
      return Optional.of(new Upload(top.gen, fileSize,
          new FileWrite(b, baseLen, fileSize, ranges, source)));
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Whether an upload read up to {@code end} for the first time since the last upload of this
   * file finished: a retry reading the same bytes again is no progress, whatever generations
   * were sealed meanwhile (a grow adds none to read).
   */
  private boolean readFurther(long end) {
    return end > readFurthest.getAndAccumulate(end, Math::max);
  }

  /**
   * Generation {@code gen} is sealed but its commit record failed to append (a full disk): no
   * later close of this file may claim to be journaled until the grid holds that version.
   */
  void unjournaled(long gen) {
    lock.writeLock().lock();
    try {
      unjournaledGen = Math.max(unjournaledGen, gen);
    } finally {
      lock.writeLock().unlock();
    }
  }

  boolean owesJournal() {
    return unjournaledGen >= 0;
  }

  /** The grid holds the version of generation {@code gen} as {@code cap}: drop its layers. */
  void uploaded(long gen, String cap, long uploadedSize) {
    lock.writeLock().lock();
    try {
      // the new base first: a lock-free reader that sees the layers gone must see it
      base = Optional.of(cap);
      baseSize = uploadedSize;
      readFurthest.set(0);
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
      lock.writeLock().unlock();
    }
  }

  /** Drops every local layer (the file was unlinked and closed for the last time). */
  void discard() {
    lock.writeLock().lock();
    try {
      readFurthest.set(0);
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
      lock.writeLock().unlock();
    }
  }

  /** Forces every sealed layer to disk (before a snapshot drops inline copies). */
  void forceSealed() throws IOException {
    lock.readLock().lock();
    try {
      for (Layer l : sealed) {
        l.force();
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  long commits() {
    lock.readLock().lock();
    try {
      return commits;
    } finally {
      lock.readLock().unlock();
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
