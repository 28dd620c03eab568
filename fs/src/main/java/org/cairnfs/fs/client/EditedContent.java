package org.cairnfs.fs.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.mount.FileWrite;

/**
 * The new version a {@link FileWrite} describes, as a plaintext source read front to back:
 * dirty ranges from the write's source, the rest below the base length from the base file
 * (streamed per clean run), zeros beyond. Nothing is held whole: memory is one buffer of the
 * reader's size plus the base stream's read-ahead. Each {@link #open()} starts afresh, as the
 * upload reads its source more than once.
 */
final class EditedContent implements PlaintextSource {
  /** Ranges of the base file, streamed. */
  @FunctionalInterface
  interface Base {
    InputStream range(long offset, long length) throws IOException;
  }

  private final FileWrite write;
  private final Base base;

  EditedContent(FileWrite write, Base base) {
    this.write = write;
    this.base = base;
  }

  @Override
  public long size() {
    return write.size();
  }

  @Override
  public InputStream open() {
    return new Stream();
  }

  private final class Stream extends InputStream {
    private final List<FileWrite.Range> dirty = write.dirty();
    private final long size = write.size();
    private final long baseEnd = Math.min(write.baseLength(), write.size());
    private long pos;
    private int next;
    private InputStream baseRun;
    private long baseRunEnd;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (pos >= size) {
        return -1;
      }
      while (next < dirty.size() && dirty.get(next).end() <= pos) {
        next++;
      }
      FileWrite.Range d = next < dirty.size() ? dirty.get(next) : null;
      if (d != null && d.offset() <= pos) {
        int n = (int) Math.min(len, d.end() - pos);
        write.source().read(pos, ByteBuffer.wrap(b, off, n));
        pos += n;
        return n;
      }
      long boundary = d != null ? d.offset() : size;
      int n;
      if (pos < baseEnd) {
        long runEnd = Math.min(boundary, baseEnd);
        if (baseRun == null || baseRunEnd != runEnd) {
          closeRun();
          baseRun = base.range(pos, runEnd - pos);
          baseRunEnd = runEnd;
        }
        n = baseRun.read(b, off, (int) Math.min(len, runEnd - pos));
        if (n < 0) {
          throw new IOException("the base file ended at " + pos + ", before its stated length "
              + write.baseLength());
        }
        if (pos + n == runEnd) {
          closeRun();
        }
      } else {
        n = (int) Math.min(len, boundary - pos);
        Arrays.fill(b, off, off + n, (byte) 0);
      }
      pos += n;
      return n;
    }

    private void closeRun() throws IOException {
      if (baseRun != null) {
        baseRun.close();
        baseRun = null;
      }
    }

    @Override
    public void close() throws IOException {
      closeRun();
    }
  }
}
