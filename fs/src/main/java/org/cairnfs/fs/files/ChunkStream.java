package org.cairnfs.fs.files;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.manifest.ChunkRange;
import org.cairnfs.caps.manifest.ChunkRef;
import org.cairnfs.caps.manifest.ManifestFormatException;
import org.cairnfs.caps.manifest.ManifestGeometry;
import org.cairnfs.caps.manifest.ManifestWalk;
import org.cairnfs.fs.grid.ImmutableFile;
import org.cairnfs.fs.grid.PieceStream;

/**
 * A byte range of a chunked file as a stream. The chunks the range touches are fetched in
 * order, up to {@code parallelDownloads} at once ahead of the reader, each reading only its
 * slice (so only the segments the range covers); holes are zeros and literals come from the
 * manifest, neither touching the network. Chunk refs are looked up one leaf's worth at a time
 * (the node cache keeps the path), so memory stays at the chunks in flight plus one batch of
 * refs whatever the file size.
 */
final class ChunkStream extends PieceStream {
  /** Chunk refs looked up per manifest walk (one leaf). */
  private static final int BATCH = ManifestGeometry.FANOUT;
  /** Largest piece of zeros a hole is read as. */
  static final int ZEROS = 128 << 10;

  private final ChunkedFiles files;
  private final ChunkedReadCap cap;
  private final ChunkRange range;
  private final int parallel;
  private final ArrayDeque<CompletableFuture<List<byte[]>>> ahead = new ArrayDeque<>();
  private long next;
  private long batchFirst;
  private List<ChunkRef> batch = List.of();
  /** The pieces of the chunk being read (one per segment), and which one is current. */
  private List<byte[]> pieces = List.of();
  private int piece;
  private boolean closed;

  ChunkStream(ChunkedFiles files, ChunkedReadCap cap, long offset, long end) {
    this.files = files;
    this.cap = cap;
    this.range = ManifestGeometry.of(cap).touching(offset, end - offset);
    this.parallel = files.config().parallelDownloads();
    this.next = range.first();
  }

  @Override
  protected void checkReadable() throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
  }

  /** The current chunk's next piece, else the next chunk's (an empty array to go on). */
  @Override
  protected byte[] nextPiece() throws IOException {
    if (piece + 1 < pieces.size()) {
      return pieces.get(++piece);
    }
    fill();
    CompletableFuture<List<byte[]>> head = ahead.pollFirst();
    if (head == null) {
      return null;
    }
    pieces = ChunkedFiles.join(head);
    piece = -1;
    fill();
    return new byte[0];
  }

  /** Starts fetches until {@code parallel} are ahead or the range is covered. */
  private void fill() throws IOException {
    while (ahead.size() < parallel && next < range.end()) {
      ahead.addLast(fetch(ref(next), range.slice(next)));
      next++;
    }
  }

  private ChunkRef ref(long index) throws IOException {
    if (index >= batchFirst + batch.size()) { // indexes only grow: never below batchFirst
      long end = Math.min(range.end(), index + BATCH);
      List<ChunkRef> refs = new ArrayList<>((int) (end - index));
      try {
        ManifestWalk.chunks(cap, files.nodes(), index, end, (i, chunk) -> refs.add(chunk));
      } catch (ManifestFormatException e) {
        throw ChunkedFiles.malformed(e);
      }
      batchFirst = index;
      batch = refs;
    }
    return batch.get((int) (index - batchFirst));
  }

  /**
   * A chunk's slice as pieces: a stored chunk's one per segment as the decoder made them (no
   * array of the whole chunk, no copy into one), a hole's in pieces of at most {@link #ZEROS}.
   */
  private CompletableFuture<List<byte[]>> fetch(ChunkRef ref, ChunkRange.Slice slice) {
    int from = (int) slice.offsetInChunk();
    if (ref instanceof ChunkRef.Hole) {
      List<byte[]> zeros = new ArrayList<>();
      for (int left = slice.length(); left > 0; left -= ZEROS) {
        zeros.add(new byte[Math.min(left, ZEROS)]);
      }
      return CompletableFuture.completedFuture(zeros);
    } else if (ref instanceof ChunkRef.Literal l) {
      return CompletableFuture.completedFuture(
          List.of(Arrays.copyOfRange(l.cap().data(), from, from + slice.length())));
    }
    ImmutableFile file = files.grid().open(((ChunkRef.Stored) ref).cap());
    return file.readPieces(from, slice.length()).whenComplete((data, error) -> file.close());
  }

  @Override
  public void close() {
    closed = true;
    ahead.clear();
    pieces = List.of();
    dropCurrent();
  }
}
