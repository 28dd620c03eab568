package org.cairnfs.fs.health;

import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.share.ShareSource;
import org.cairnfs.fs.grid.Await;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.message.WireLimits;

/**
 * One immutable share on one server as a blocking {@link ShareSource}, for checks that read a
 * share front to back (verify) or a few of them in step (repair): reads go out in aligned
 * windows, the next few windows are requested before they are needed, and at most {@link #KEPT}
 * windows are held (the least recently used goes first), so memory stays a few MiB whatever the
 * share size. A front-only check uses small windows and no read-ahead, so it fetches a few KiB
 * per share and no blocks. Not thread-safe.
 */
final class RemoteRange implements ShareSource {
  /** Windows of a full read (verify, repair): one maximum READ_RANGE. */
  static final int BIG = WireLimits.MAX_CHUNK;
  /** Windows of a front-only check. */
  static final int SMALL = 16 << 10;
  static final int KEPT = 4;

  private final StorageClient client;
  private final StorageIndex index;
  private final int share;
  private final long length;
  private final Duration timeout;
  private final int windowSize;
  private final int ahead;
  private final Map<Long, CompletableFuture<byte[]>> windows =
      new LinkedHashMap<>(16, 0.75f, true);

  /**
   * @param length the share's length as the server listed it: reads past it fail at once
   * @param full whether the whole share will be read ({@link #BIG} windows, two ahead) or only
   *     its front ({@link #SMALL} windows, none ahead)
   */
  RemoteRange(StorageClient client, StorageIndex index, int share, long length,
      Duration timeout, boolean full) {
    this.windowSize = full ? BIG : SMALL;
    this.ahead = full ? 2 : 0;
    this.client = client;
    this.index = index;
    this.share = share;
    this.length = length;
    this.timeout = timeout;
  }

  @Override
  public void read(long offset, byte[] dst, int off, int len) throws IOException {
    if (offset < 0 || offset + len > length) {
      throw new EOFException("share " + share + " is " + length + " bytes, read of " + len
          + " at " + offset);
    }
    long at = offset;
    int done = 0;
    while (done < len) {
      long w = at / windowSize;
      byte[] data = Await.get(window(w), timeout, "reading share " + share);
      int from = (int) (at - w * windowSize);
      if (data.length <= from) {
        throw new EOFException("share " + share + " ends at " + (w * windowSize + data.length));
      }
      int take = Math.min(len - done, data.length - from);
      System.arraycopy(data, from, dst, off + done, take);
      done += take;
      at += take;
      for (long next = w + 1; next <= w + ahead && next * windowSize < length; next++) {
        window(next);
      }
    }
  }

  private CompletableFuture<byte[]> window(long w) {
    CompletableFuture<byte[]> f = windows.get(w);
    if (f == null) {
      long start = w * windowSize;
      int size = (int) Math.min(windowSize, length - start);
      f = client.readRange(index, share, start, size);
      windows.put(w, f);
      if (windows.size() > KEPT) {
        Iterator<Map.Entry<Long, CompletableFuture<byte[]>>> it = windows.entrySet().iterator();
        Map.Entry<Long, CompletableFuture<byte[]>> eldest = it.next();
        eldest.getValue().cancel(false);
        it.remove();
      }
    }
    return f;
  }
}
