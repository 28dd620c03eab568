package org.cairnfs.fs.grid;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges the positional writes of an encoder into contiguous runs of at most {@code chunk}
 * bytes, so a share travels in a few large WriteChunk requests instead of one per block and one
 * per 32-byte tree node.
 *
 * <p>Why several open runs: the encoder writes blocks in order (one run), but the nodes of each
 * level of two Merkle trees as they complete, each level at its own pace (about 2 log2(segments)
 * runs growing side by side). A write that extends a run is appended; any other starts a new
 * run. A full run is sent; when more than {@code maxBuffered} bytes are held the largest run is
 * sent early, so memory stays bounded whatever the file size. Not thread-safe.
 */
final class WriteCoalescer {
  /**
   * Receives one merged run: the first {@code length} bytes of {@code data}, which it owns (a
   * whole-chunk array may go back to {@link ReusedArrays} once its write was answered).
   */
  @FunctionalInterface
  interface Out {
    void send(long offset, byte[] data, int length) throws IOException;
  }

  private final class Run {
    final long start;
    byte[] buf;
    int len;

    Run(long start, boolean blocks) {
      this.start = start;
      this.buf = blocks ? arrays.take() : new byte[SMALL_RUN];
    }

    long end() {
      return start + len;
    }

    void append(byte[] data, int off, int n) {
      if (len + n > buf.length) {
        // blocks after a small start (a share's header) take a whole chunk at once; tree
        // nodes double
        byte[] grown = n >= SMALL_RUN || buf.length * 2 >= chunk ? arrays.take()
            : new byte[Math.max(len + n, buf.length * 2)];
        System.arraycopy(buf, 0, grown, 0, len);
        buf = grown;
      }
      System.arraycopy(data, off, buf, len, n);
      len += n;
    }
  }

  /** Initial capacity of a run started by a small write (a tree node). */
  static final int SMALL_RUN = 4096;

  private final int chunk;
  private final ReusedArrays arrays;
  private final long maxBuffered;
  private final Out out;
  /** Open runs; few (about 2 log2 segments), so a linear scan beats a map and boxes nothing. */
  private final List<Run> runs = new ArrayList<>();
  private long buffered;

  WriteCoalescer(int chunk, long maxBuffered, Out out) {
    this.chunk = chunk;
    this.arrays = ReusedArrays.of(chunk);
    this.maxBuffered = Math.max(maxBuffered, chunk);
    this.out = out;
  }

  void write(long offset, byte[] data, int off, int len) throws IOException {
    while (len > 0) {
      Run run = endingAt(offset);
      if (run == null) {
        // Block-sized writes start a run of a whole chunk (no regrowth copies); tree nodes a
        // small one that grows.
        run = new Run(offset, len >= SMALL_RUN || chunk <= SMALL_RUN);
        runs.add(run);
      }
      int take = Math.min(len, chunk - run.len);
      run.append(data, off, take);
      buffered += take;
      offset += take;
      off += take;
      len -= take;
      if (run.len == chunk) {
        runs.remove(run);
        send(run);
      }
    }
    while (buffered > maxBuffered) {
      Run largest = runs.get(0);
      for (Run r : runs) {
        if (r.len > largest.len) {
          largest = r;
        }
      }
      runs.remove(largest);
      send(largest);
    }
  }

  /** Sends every run held. */
  void flush() throws IOException {
    while (!runs.isEmpty()) {
      send(runs.remove(runs.size() - 1));
    }
  }

  private Run endingAt(long offset) {
    for (int i = runs.size() - 1; i >= 0; i--) {
      Run r = runs.get(i);
      if (r.end() == offset) {
        return r;
      }
    }
    return null;
  }

  /** Takes back a run's array whose write was answered (see {@link ReusedArrays}). */
  void giveBack(byte[] sent) {
    arrays.giveBack(sent);
  }

  /** Bytes written but not yet sent. */
  long buffered() {
    return buffered;
  }

  private void send(Run run) throws IOException {
    buffered -= run.len;
    out.send(run.start, run.buf, run.len);
  }
}
