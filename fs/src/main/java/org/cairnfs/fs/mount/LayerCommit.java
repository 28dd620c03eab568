package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import org.cairnfs.fs.mount.JournalRecord.FileCommit;

/**
 * A layer sealed by a close, as the journal takes it: its {@code record} (what the pending
 * state keeps) and, when small, its bytes {@code inline} (the held pages' bytes below its size,
 * in page order). Why inline: a close of a small file then costs no force of its own; the next
 * mount writes the layer file back from the record ({@link #rebuild}).
 */
record LayerCommit(FileCommit record, Optional<byte[]> inline) {

  /**
   * Seals the file's open layer, if it holds changes, and reads its bytes (small: for the
   * record) or forces it, before the uploader can see the sealed layer, upload it and delete
   * its file; takes the file's write lock. A sealed layer the caller then fails to journal must
   * be marked {@link FileData#unjournaled}.
   */
  static Optional<LayerCommit> seal(FileData data) throws IOException {
    data.lock().writeLock().lock();
    try {
      Optional<Layer> sealed = data.commit(false);
      if (sealed.isEmpty()) {
        return Optional.empty();
      }
      Layer l = sealed.get();
      Optional<byte[]> inline = Optional.empty();
      try {
        if (bytes(l) <= JournalCodec.MAX_INLINE) {
          inline = Optional.of(read(l));
        } else {
          l.force();
        }
      } catch (IOException | RuntimeException e) {
        // sealed already, never journaled: later closes must not pass for it
        data.unjournaled(l.gen);
        throw e;
      }
      return Optional.of(new LayerCommit(new FileCommit(data.id(), l.gen, data.base(),
          data.baseSize(), l.size, l.limit, PageRun.of(l.pages), Optional.empty()), inline));
    } finally {
      data.lock().writeLock().unlock();
    }
  }

  /** The record as journaled: {@link #record} with the inline bytes. */
  FileCommit journaled() {
    return new FileCommit(record.id(), record.gen(), record.base(), record.baseSize(),
        record.size(), record.limit(), record.pages(), inline);
  }

  /** The bytes of the layer's page run {@code r} below its size. */
  private static long runBytes(Layer l, PageRun r) {
    long from = r.start() * Layer.PAGE;
    return Math.max(0, Math.min(l.size, (r.start() + r.count()) * Layer.PAGE) - from);
  }

  private static long bytes(Layer l) {
    long n = 0;
    for (PageRun r : PageRun.of(l.pages)) {
      n += runBytes(l, r);
    }
    return n;
  }

  private static byte[] read(Layer l) throws IOException {
    byte[] out = new byte[(int) bytes(l)];
    int at = 0;
    for (PageRun r : PageRun.of(l.pages)) {
      int n = (int) runBytes(l, r); // a run past the size: a read of no bytes
      l.readAt(ByteBuffer.wrap(out, at, n), r.start() * Layer.PAGE);
      at += n;
    }
    return out;
  }

  /** Rebuilds a layer file in {@code spool} from the bytes a commit record carries inline. */
  static void rebuild(Path spool, FileCommit c) throws IOException {
    Path p = spool.resolve(c.id() + "." + c.gen());
    Layer l = Layer.create(p, c.gen(), c.size());
    try {
      byte[] data = c.inline().get();
      int at = 0;
      for (PageRun r : c.pages()) {
        for (long page = r.start(); page < r.start() + r.count(); page++) {
          // the bytes are the pages' below the size (read): each page's part or the rest
          // (none for a page past the size: a write of no bytes)
          int n = Math.min(Layer.PAGE, data.length - at);
          l.writeAt(ByteBuffer.wrap(data, at, n), page * Layer.PAGE);
          at += n;
        }
      }
      l.force();
    } finally {
      l.close();
    }
  }
}
