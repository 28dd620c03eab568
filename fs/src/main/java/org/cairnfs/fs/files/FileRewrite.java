package org.cairnfs.fs.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.manifest.ChunkRef;
import org.cairnfs.caps.manifest.ManifestBuilder;
import org.cairnfs.caps.manifest.ManifestEdit;
import org.cairnfs.caps.manifest.ManifestGeometry;
import org.cairnfs.fs.grid.ReusedArrays;

/**
 * One {@link FileEdit} stored. Two ways:
 * <ul>
 *   <li><b>patch</b> (the base is a chunked file, or one chunk no longer than the chunk size,
 *       and some of it stays valid): the chunks touched by a dirty range, by the zeroed region
 *       {@code [baseLength, min(base size, size))}, or by the resize of the old last chunk get
 *       new content; a {@link ManifestEdit} rewrites the node paths above them. Every other
 *       chunk keeps its cap.
 *   <li><b>build</b> (no usable base): every chunk is made and the manifest built in order, as
 *       a streamed upload does.
 * </ul>
 * A chunk's new content is the base's bytes below {@code baseLength} (read only when dirty
 * ranges do not cover the chunk), zeros above, overlaid with the source's dirty bytes; a chunk
 * left all zeros becomes a hole, and one that no dirty range and no valid base byte reaches is a
 * hole without being made at all. At most {@code parallelUploads} chunks are in the making.
 */
final class FileRewrite {
  private final ChunkedFiles files;
  private final FileEdit edit;
  private final Cap base;
  private final long baseSize;
  private final int chunkSize;
  private final int parallel;

  FileRewrite(ChunkedFiles files, FileEdit edit) {
    this.files = files;
    this.edit = edit;
    this.base = edit.base().orElse(null);
    this.baseSize = base == null ? 0 : ChunkedFiles.sizeOf(base);
    if (edit.baseLength() > baseSize) {
      throw new IllegalArgumentException("base length " + edit.baseLength()
          + " exceeds the base's size " + baseSize);
    }
    this.chunkSize = base instanceof ChunkedReadCap c ? c.chunkSize()
        : files.config().chunkSize();
    this.parallel = files.config().parallelUploads();
  }

  Cap run() throws IOException {
    if (edit.size() == 0) {
      return new LiteralCap(new byte[0]);
    }
    boolean patchable = edit.baseLength() > 0
        && (base instanceof ChunkedReadCap || baseSize <= chunkSize);
    return patchable ? patch() : build();
  }

  private Cap patch() throws IOException {
    ManifestEdit manifest = ManifestEdit.of(base, chunkSize).resize(edit.size());
    ManifestGeometry geometry = manifest.newGeometry();
    TreeSet<Long> touched = new TreeSet<>();
    for (FileEdit.Range r : edit.dirty()) {
      addChunks(touched, r.offset(), r.end());
    }
    addChunks(touched, edit.baseLength(), Math.min(baseSize, edit.size()));
    manifest.chunkNeedingContent().ifPresent(touched::add);
    Map<Long, ChunkRef> made = make(geometry, touched);
    made.forEach(manifest::put);
    return manifest.apply(files.nodes(), files.policy()).file();
  }

  private void addChunks(TreeSet<Long> into, long from, long to) {
    for (long i = from / chunkSize; i * chunkSize < to; i++) {
      into.add(i);
    }
  }

  /** Makes the chunks {@code indexes} of the new version, a window of them at a time. */
  private Map<Long, ChunkRef> make(ManifestGeometry geometry, Iterable<Long> indexes)
      throws IOException {
    Map<Long, ChunkRef> made = new TreeMap<>();
    ArrayDeque<Long> order = new ArrayDeque<>();
    ArrayDeque<CompletableFuture<ChunkRef>> inFlight = new ArrayDeque<>();
    try {
      for (long index : indexes) {
        while (inFlight.size() >= parallel) {
          made.put(order.removeFirst(), ChunkedFiles.join(inFlight.removeFirst()));
        }
        order.addLast(index);
        inFlight.addLast(files.inChunkSlot(geometry.chunkLength(index),
            () -> chunk(geometry, index)));
      }
      while (!inFlight.isEmpty()) {
        made.put(order.removeFirst(), ChunkedFiles.join(inFlight.removeFirst()));
      }
      return made;
    } catch (IOException | RuntimeException e) {
      StreamUpload.settle(inFlight);
      throw e;
    }
  }

  private Cap build() throws IOException {
    ManifestGeometry geometry = ManifestGeometry.of(chunkSize, edit.size());
    ManifestBuilder builder = new ManifestBuilder(chunkSize, files.nodes(), files.policy());
    ArrayDeque<CompletableFuture<ChunkRef>> inFlight = new ArrayDeque<>();
    try {
      for (long i = 0; i < geometry.chunkCount(); i++) {
        while (inFlight.size() >= parallel
            || (!inFlight.isEmpty() && inFlight.peekFirst().isDone())) {
          builder.add(ChunkedFiles.join(inFlight.removeFirst()));
        }
        long index = i;
        inFlight.addLast(files.inChunkSlot(geometry.chunkLength(index),
            () -> chunk(geometry, index)));
      }
      while (!inFlight.isEmpty()) {
        builder.add(ChunkedFiles.join(inFlight.removeFirst()));
      }
      return builder.finish();
    } catch (IOException | RuntimeException e) {
      StreamUpload.settle(inFlight);
      throw e;
    }
  }

  /** Chunk {@code index}'s new content, made on a worker thread and stored. */
  private CompletableFuture<ChunkRef> chunk(ManifestGeometry geometry, long index) {
    long start = geometry.chunkOffset(index);
    int length = (int) geometry.chunkLength(index);
    long end = start + length;
    List<FileEdit.Range> dirty = overlapping(start, end);
    long baseEnd = Math.min(end, edit.baseLength());
    if (dirty.isEmpty() && baseEnd <= start) {
      return CompletableFuture.completedFuture(files.hole(length));
    }
    // only chunks of this node's own size reuse arrays: a file's chunk size comes from its cap
    boolean reuse = length == files.config().chunkSize();
    ReusedArrays arrays = ReusedArrays.of(files.config().chunkSize());
    return files.async(() -> {
      boolean whole = covers(dirty, start, end);
      byte[] data = reuse ? arrays.take() : new byte[length];
      if (reuse && !whole) {
        Arrays.fill(data, (byte) 0); // a reused array: what neither base nor edit covers is zeros
      }
      if (baseEnd > start && !whole) {
        try (InputStream in = files.open(base, start, baseEnd - start)) {
          int n = in.readNBytes(data, 0, (int) (baseEnd - start));
          if (n != baseEnd - start) {
            throw new IOException("base ended at " + (start + n) + ", expected "
                + baseEnd + " bytes");
          }
        }
      }
      for (FileEdit.Range r : dirty) {
        long from = Math.max(start, r.offset());
        long to = Math.min(end, r.end());
        ByteBuffer dst = ByteBuffer.wrap(data, (int) (from - start), (int) (to - from));
        edit.source().read(from, dst);
        if (dst.hasRemaining()) {
          throw new IOException("source left " + dst.remaining() + " bytes unread at "
              + (to - dst.remaining()));
        }
      }
      return data;
    }).thenCompose(data -> files.storeChunk(data).whenComplete((ref, failed) -> {
      if (failed == null && reuse) {
        arrays.giveBack(data); // stored: nothing reads it any more
      }
    }));
  }

  /** The dirty ranges meeting {@code [start, end)}, found by binary search. */
  private List<FileEdit.Range> overlapping(long start, long end) {
    List<FileEdit.Range> all = edit.dirty();
    int lo = 0;
    int hi = all.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (all.get(mid).end() <= start) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    List<FileEdit.Range> out = new ArrayList<>();
    for (int i = lo; i < all.size() && all.get(i).offset() < end; i++) {
      out.add(all.get(i));
    }
    return out.isEmpty() ? Collections.emptyList() : out;
  }

  private static boolean covers(List<FileEdit.Range> ranges, long start, long end) {
    long at = start;
    for (FileEdit.Range r : ranges) {
      if (r.offset() > at) {
        return false;
      }
      at = Math.max(at, r.end());
    }
    return at >= end;
  }
}
