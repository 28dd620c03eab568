package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A file's content as a stack of layers over a base version: each page comes from the newest
 * layer holding it, cut by the truncation limits of the layers above that one, else from the
 * base. Whoever builds a stack keeps its layers from changing while it is read: the file's lock
 * for the open layer, nothing for sealed ones (they never change).
 *
 * @param layers the layers, newest first
 * @param base the cap of the base version, or none
 * @param baseSize the base version's length
 * @param baseReader reads byte ranges of the base
 */
record LayerStack(List<Layer> layers, Optional<String> base, long baseSize,
    FileData.BaseReader baseReader) {

  /** The open layer (if not null) over the sealed ones (oldest first), over the base. */
  static LayerStack of(Layer open, List<Layer> sealed, Optional<String> base, long baseSize,
      FileData.BaseReader baseReader) {
    List<Layer> stack = new ArrayList<>(sealed.size() + 1);
    if (open != null) {
      stack.add(open);
    }
    for (int i = sealed.size() - 1; i >= 0; i--) {
      stack.add(sealed.get(i));
    }
    return new LayerStack(stack, base, baseSize, baseReader);
  }

  /**
   * Reads {@code dst.remaining()} bytes at {@code offset} through layers (newest first) and the
   * base. The caller keeps the range inside the file.
   */
  void read(long offset, ByteBuffer dst) throws IOException, GridException {
    long pos = offset;
    long end = offset + dst.remaining();
    while (pos < end) {
      // the run of pages from pos that the same layer (or the base) answers: one read each
      int h = holderIndex(layers, pos / Layer.PAGE);
      long runEnd = Math.min(end, (pos / Layer.PAGE + 1) * Layer.PAGE);
      while (runEnd < end && holderIndex(layers, runEnd / Layer.PAGE) == h) {
        runEnd = Math.min(end, runEnd + Layer.PAGE);
      }
      long limit = Long.MAX_VALUE; // the truncations of the layers above the holder
      for (int i = 0; i < (h < 0 ? layers.size() : h); i++) {
        limit = Math.min(limit, layers.get(i).limit);
      }
      if (h < 0) {
        readBase(pos, runEnd, Math.min(limit, baseSize), dst);
      } else {
        ByteBuffer part = dst.slice();
        part.limit((int) (runEnd - pos));
        layers.get(h).readAt(part, pos);
        zeroFrom(dst, pos, runEnd, limit);
        dst.position(dst.position() + (int) (runEnd - pos));
      }
      pos = runEnd;
    }
  }

  /** The index of the newest layer of the stack holding the page, or -1 (the base). */
  private static int holderIndex(List<Layer> layers, long page) {
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i).holds(page)) {
        return i;
      }
    }
    return -1;
  }

  /** Zeros the bytes at or past {@code limit} of the part [from, to) just read into dst. */
  static void zeroFrom(ByteBuffer dst, long from, long to, long limit) {
    if (limit >= to) {
      return;
    }
    int start = dst.position() + (int) Math.max(0, limit - from);
    int stop = dst.position() + (int) (to - from);
    for (int i = start; i < stop; i++) {
      dst.put(i, (byte) 0);
    }
  }

  private void readBase(long from, long to, long valid, ByteBuffer dst) throws GridException {
    int n = (int) (to - from);
    int fromBase = (int) Math.max(0, Math.min(to, valid) - from);
    if (fromBase > 0 && base.isPresent()) {
      byte[] bytes = baseReader.read(base.get(), from, fromBase);
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
}
