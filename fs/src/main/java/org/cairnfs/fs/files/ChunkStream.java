package org.cairnfs.fs.files;

import java.io.IOException;
import java.io.InputStream;
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

/**
 * A byte range of a chunked file as a stream. The chunks the range touches are fetched in
 * order, up to {@code parallelDownloads} at once ahead of the reader, each reading only its
 * slice (so only the segments the range covers); holes are zeros and literals come from the
 * manifest, neither touching the network. Chunk refs are looked up one leaf's worth at a time
 * (the node cache keeps the path), so memory stays at the chunks in flight plus one batch of
 * refs whatever the file size.
 */
final class ChunkStream extends InputStream {
  /** Chunk refs looked up per manifest walk (one leaf). */
  private static final int BATCH = ManifestGeometry.FANOUT;
  /** Largest piece of zeros a hole is read as. */
  static final int ZEROS = 128 << 10;
  /** Largest {@code readNBytes} answered with one array of the length asked. */
  static final int EXACT_LIMIT = 4 << 20;

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
  private byte[] current = new byte[0];
  private int position;
  private boolean closed;

  ChunkStream(ChunkedFiles files, ChunkedReadCap cap, long offset, long end) {
    this.files = files;
    this.cap = cap;
    this.range = ManifestGeometry.of(cap).touching(offset, end - offset);
    this.parallel = files.config().parallelDownloads();
    this.next = range.first();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] dst, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, dst.length);
    if (closed) {
      throw new IOException("stream closed");
    }
    if (len == 0) {
      return 0;
    }
    if (!advance()) {
      return -1;
    }
    int take = Math.min(len, current.length - position);
    System.arraycopy(current, position, dst, off, take);
    position += take;
    return take;
  }

  /**
   * As {@link InputStream#readNBytes(int)}; a request for exactly the next piece, untouched,
   * gets that piece itself: it was made for this stream (a decoded segment), and the stream
   * lets go of it. A sequential reader asking segment by segment (the mount's read-ahead) so
   * takes every byte without a copy.
   */
  @Override
  public byte[] readNBytes(int len) throws IOException {
    if (len < 0) {
      throw new IllegalArgumentException("len < 0");
    }
    if (closed) {
      throw new IOException("stream closed");
    }
    if (len > 0 && advance() && position == 0 && current.length == len) {
      byte[] whole = current;
      current = new byte[0];
      return whole;
    }
    if (len > EXACT_LIMIT) {
      return super.readNBytes(len); // readAllBytes asks for Integer.MAX_VALUE
    }
    byte[] out = new byte[len];
    int n = readNBytes(out, 0, len);
    return n == len ? out : java.util.Arrays.copyOf(out, n);
  }

  /** Makes {@code current} hold unread bytes; false at the end of the range. */
  private boolean advance() throws IOException {
    while (position == current.length) {
      if (piece + 1 < pieces.size()) {
        current = pieces.get(++piece);
        position = 0;
        continue;
      }
      fill();
      CompletableFuture<List<byte[]>> head = ahead.pollFirst();
      if (head == null) {
        return false;
      }
      pieces = ChunkedFiles.join(head);
      piece = -1;
      current = new byte[0];
      position = 0;
      fill();
    }
    return true;
  }

  /** Starts fetches until {@code parallel} are ahead or the range is covered. */
  private void fill() throws IOException {
    while (ahead.size() < parallel && next < range.end()) {
      ahead.addLast(fetch(ref(next), range.slice(next)));
      next++;
    }
  }

  private ChunkRef ref(long index) throws IOException {
    if (index < batchFirst || index >= batchFirst + batch.size()) {
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
    current = new byte[0];
    position = 0;
  }
}
