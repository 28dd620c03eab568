package org.cairnfs.fs.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.fs.mount.FileWrite;

/**
 * The file half of {@link ClientFileSystem}: how file contents are stored and read. A narrow
 * seam between the facade and the file format ({@link ChunkedFileStore}), so directories and
 * the facade do not change with it. Failures may be any exception; the facade maps
 * them to {@link org.cairnfs.fs.mount.GridException}s.
 */
public interface FileStore {
  /** Stores the version {@code write} describes; its read cap. */
  CompletableFuture<String> write(FileWrite write);

  /** Stores a stream read to its end as a new file; its read cap. */
  CompletableFuture<String> upload(InputStream in) throws IOException;

  /** Up to {@code length} bytes from {@code offset} (fewer at the end, none past it). */
  CompletableFuture<byte[]> read(String fileCap, long offset, int length);

  /** A verified stream of {@code [offset, offset + length)} (to the end of the file at most). */
  InputStream open(String fileCap, long offset, long length);
}
