package org.cairnfs.caps.manifest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ChunkedReadCap;

/**
 * A whole file's chunk list in memory: chunk i at offset {@code i * chunkSize}, all but the last
 * exactly {@code chunkSize} bytes. Its memory grows with the chunk count (about 150 bytes per
 * chunk), so it suits tests, tools and files of up to thousands of chunks; large files use
 * {@link ManifestBuilder}, {@link ManifestWalk} and {@link ManifestEdit}, which hold a few nodes.
 */
public record Manifest(int chunkSize, List<ChunkRef> chunks) {
  public Manifest {
    new ManifestGeometry(ManifestGeometry.FANOUT, chunkSize, 0); // validates the chunk size
    chunks = List.copyOf(chunks);
    for (int i = 0; i < chunks.size(); i++) {
      long length = chunks.get(i).length();
      boolean last = i == chunks.size() - 1;
      if (length > chunkSize || (!last && length != chunkSize)) {
        throw new IllegalArgumentException("chunk " + i + " has " + length + " bytes; every"
            + " chunk but the last has exactly " + chunkSize);
      }
    }
  }

  public long size() {
    long size = 0;
    for (ChunkRef c : chunks) {
      size += c.length();
    }
    return size;
  }

  /** Stores the manifest's nodes and returns the file's cap. */
  public Cap write(NodeStore store, NodeKeyPolicy policy) throws IOException {
    ManifestBuilder b = new ManifestBuilder(chunkSize, store, policy);
    for (ChunkRef c : chunks) {
      b.add(c);
    }
    return b.finish();
  }

  /** Reads every chunk of {@code file}; a literal or immutable cap is one chunk. */
  public static Manifest read(Cap file, int chunkSizeIfFlat, NodeStore store)
      throws IOException {
    int chunkSize = file instanceof ChunkedReadCap c ? c.chunkSize() : chunkSizeIfFlat;
    List<ChunkRef> chunks = new ArrayList<>();
    long count = file instanceof ChunkedReadCap c ? ManifestGeometry.of(c).chunkCount()
        : (file instanceof org.cairnfs.caps.LiteralCap l && l.size() == 0 ? 0 : 1);
    ManifestWalk.chunks(file, store, 0, count, (i, chunk) -> chunks.add(chunk));
    return new Manifest(chunkSize, chunks);
  }
}
