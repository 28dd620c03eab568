package org.cairnfs.storage.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.IntFunction;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.share.ShareKind;

/**
 * Reads of the shares held in place: their sizes and their bytes. Uploads in progress live in
 * the incoming area and are invisible here. Takes no lock: a share appears by an atomic rename
 * of a complete file, and one deleted meanwhile is simply not there.
 */
final class HeldShareReads {
  private final ShareLayout layout;

  HeldShareReads(ShareLayout layout) {
    this.layout = layout;
  }

  /** Sizes of the shares of {@code kind} held for {@code index}, by share number. */
  SortedMap<Integer, Long> sizes(StorageIndex index, ShareKind kind) throws IOException {
    SortedMap<Integer, Long> out = new TreeMap<>();
    for (ShareKey key : layout.sharesOf(index)) {
      if (key.kind() == kind) {
        try {
          out.put(key.shareNumber(), Files.size(layout.sharePath(key)));
        } catch (NoSuchFileException e) {
          // deleted meanwhile
        }
      }
    }
    return out;
  }

  /**
   * Reads up to {@code length} bytes (at most {@link ShareStore#MAX_READ_LENGTH}) from
   * {@code offset} into the buffer {@code buffers} gives for the count the share holds in that
   * range; returns the bytes read, fewer only if the share shrank meanwhile.
   */
  int read(ShareKey key, long offset, int length, IntFunction<ByteBuffer> buffers)
      throws StoreException, IOException {
    if (offset < 0) {
      throw StoreException.badRequest("read offset must not be negative: " + offset);
    }
    if (length < 0 || length > ShareStore.MAX_READ_LENGTH) {
      throw StoreException.badRequest(
          "read length must be in 0.." + ShareStore.MAX_READ_LENGTH + ", got " + length);
    }
    try (FileChannel channel = FileChannel.open(layout.sharePath(key), StandardOpenOption.READ)) {
      long size = channel.size();
      int n = (int) Math.max(0, Math.min(length, size - Math.min(offset, size)));
      ByteBuffer out = buffers.apply(n);
      int read = 0;
      while (read < n) {
        int got = channel.read(out, offset + read);
        if (got < 0) {
          break;
        }
        read += got;
      }
      return read;
    } catch (NoSuchFileException e) {
      throw StoreException.notFound("no share " + key);
    }
  }
}
