package org.cairnfs.fs.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.Cap;
import org.cairnfs.fs.files.ChunkedFiles;
import org.cairnfs.fs.files.FileEdit;
import org.cairnfs.fs.mount.FileWrite;

/**
 * Files as chunked files ({@link ChunkedFiles}): what every frontend stores. A write re-encodes
 * only the chunks its dirty ranges touch, plus the manifest path; caps travel as strings.
 */
final class ChunkedFileStore implements FileStore {
  private final ChunkedFiles files;

  ChunkedFileStore(ChunkedFiles files) {
    this.files = files;
  }

  @Override
  public CompletableFuture<String> write(FileWrite w) {
    List<FileEdit.Range> dirty = w.dirty().stream()
        .map(r -> new FileEdit.Range(r.offset(), r.length())).toList();
    FileEdit edit = new FileEdit(w.base().map(Cap::parse), w.baseLength(), w.size(), dirty,
        w.source()::read);
    return files.write(edit).thenApply(Cap::toString);
  }

  @Override
  public CompletableFuture<String> upload(InputStream in) {
    return files.upload(in).thenApply(Cap::toString);
  }

  @Override
  public CompletableFuture<byte[]> read(String fileCap, long offset, int length) {
    return files.read(Cap.parse(fileCap), offset, length);
  }

  @Override
  public InputStream open(String fileCap, long offset, long length) {
    return files.open(Cap.parse(fileCap), offset, length);
  }
}
