package org.cairnfs.fs.mount;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads base versions from the grid with read-ahead: when a file is read sequentially, the
 * next window is fetched while the application consumes this one. The verified-segment cache
 * is the grid client's; this only keeps one window in flight per recently read file.
 */
final class BaseReads implements FileData.BaseReader {
  private static final int FILES = 64;
  private final GridBackend grid;
  private final int window;
  private final Map<String, Stream> streams = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Stream> eldest) {
      return size() > FILES;
    }
  };

  BaseReads(GridBackend grid, int window) {
    this.grid = grid;
    this.window = window;
  }

  private static final class Stream {
    long nextOffset = -1;
    long aheadOffset = -1;
    CompletableFuture<byte[]> ahead;
  }

  @Override
  public byte[] read(String cap, long offset, int length) throws GridException {
    CompletableFuture<byte[]> ahead = null;
    long aheadOffset = -1;
    synchronized (streams) {
      Stream s = streams.get(cap);
      if (s != null && s.ahead != null && offset >= s.aheadOffset) {
        ahead = s.ahead;
        aheadOffset = s.aheadOffset;
      }
    }
    byte[] out = null;
    if (ahead != null) {
      byte[] got = await(ahead);
      long inAhead = offset - aheadOffset;
      if (inAhead + length <= got.length) {
        out = new byte[length];
        System.arraycopy(got, (int) inAhead, out, 0, length);
      }
    }
    if (out == null) {
      out = await(grid.read(cap, offset, length));
    }
    if (window > 0) {
      synchronized (streams) {
        Stream s = streams.computeIfAbsent(cap, k -> new Stream());
        boolean sequential = s.nextOffset == offset;
        s.nextOffset = offset + length;
        long end = offset + length;
        boolean covered = s.ahead != null && s.aheadOffset <= end
            && s.aheadOffset + window > end + window / 2;
        if (sequential && out.length == length && !covered) {
          s.aheadOffset = end;
          s.ahead = grid.read(cap, end, window);
        }
      }
    }
    return out;
  }

  private static byte[] await(CompletableFuture<byte[]> f) throws GridException {
    try {
      return f.get(5, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GridException(GridException.Kind.UNREACHABLE, "interrupted");
    } catch (Exception e) {
      throw GridException.of(e);
    }
  }
}
