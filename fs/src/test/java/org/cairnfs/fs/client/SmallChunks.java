package org.cairnfs.fs.client;

import org.cairnfs.fs.dirs.GridDirectories;
import org.cairnfs.fs.files.ChunkedFiles;
import org.cairnfs.fs.files.FilesConfig;
import org.cairnfs.fs.grid.GridClient;

/** A client file system whose new files have small chunks, so tests cross chunk edges. */
public final class SmallChunks {
  private SmallChunks() {}

  public static ClientFileSystem fileSystem(GridClient grid, int chunkSize) {
    return ClientFileSystem.create(grid, GridDirectories.create(grid),
        new ChunkedFileStore(ChunkedFiles.create(grid,
            FilesConfig.builder().chunkSize(chunkSize).build())));
  }
}
