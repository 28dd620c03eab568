package org.cairnfs.fs.mount;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds what the uploader sends for one file's sealed layers: only the pages they hold, over
 * the part of the base their truncations leave, read through the layers without the file's
 * lock (sealed layers never change). Also tells the spool budget when an upload reads further
 * than any before it, so that a writer waiting for room sees a large upload move.
 */
final class SealedLayerUploads {
  private final SpoolBudget budget;
  private final FileData.BaseReader baseReader;
  /** How far uploads read since the last one finished (see readFurther). */
  private final AtomicLong readFurthest = new AtomicLong();

  SealedLayerUploads(SpoolBudget budget, FileData.BaseReader baseReader) {
    this.budget = budget;
    this.baseReader = baseReader;
  }

  /**
   * The upload of the sealed layers (oldest first, not empty) over the base, up to the newest;
   * the caller holds the file's lock while it is built, not while it is read.
   */
  FileData.Upload of(List<Layer> sealed, Optional<String> base, long baseSize) {
    Layer top = sealed.get(sealed.size() - 1);
    long limit = Long.MAX_VALUE;
    BitSet all = new BitSet();
    for (Layer l : sealed) {
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
    LayerStack stack = LayerStack.of(null, sealed, base, baseSize, baseReader);
    FileWrite.Source source = (off, dst) -> {
      try {
        long end = off + dst.remaining();
        stack.read(off, dst);
        if (readFurther(end)) {
          budget.progressed();
        }
      } catch (GridException e) {
        throw new IOException("reading the base of a file being uploaded: " + e.getMessage(),
            e);
      }
    };
    return new FileData.Upload(top.gen, fileSize,
        new FileWrite(base, baseLen, fileSize, ranges, source));
  }

  /**
   * Whether an upload read up to {@code end} for the first time since the last upload of this
   * file finished: a retry reading the same bytes again is no progress, whatever generations
   * were sealed meanwhile (a grow adds none to read).
   */
  private boolean readFurther(long end) {
    return end > readFurthest.getAndAccumulate(end, Math::max);
  }

  /** An upload finished or the layers went: the next one's reads are progress again. */
  void restart() {
    readFurthest.set(0);
  }
}
