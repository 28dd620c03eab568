package org.cairnfs.fs.files;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.manifest.ChunkRef;
import org.cairnfs.caps.manifest.ManifestBuilder;

/**
 * One streamed upload: the stream is cut into chunks, each handed to its own upload (which
 * encodes on its own worker thread), at most {@code parallelUploads} in flight; completed chunks
 * enter the manifest builder in file order. A chunk buffer is read only when this upload's window
 * has room, and encoded only with a slot of the client's chunk budget, so an upload holds at most
 * its window plus the one chunk waiting for a slot.
 */
final class StreamUpload {
  private final ChunkedFiles files;
  private final InputStream in;
  private final int chunkSize;
  private final int parallel;

  StreamUpload(ChunkedFiles files, InputStream in) {
    this.files = files;
    this.in = in;
    this.chunkSize = files.config().chunkSize();
    this.parallel = files.config().parallelUploads();
  }

  Cap run() throws IOException {
    ManifestBuilder builder = new ManifestBuilder(chunkSize, files.nodes(), files.policy());
    ArrayDeque<CompletableFuture<ChunkRef>> inFlight = new ArrayDeque<>();
    try {
      while (true) {
        while (inFlight.size() >= parallel
            || (!inFlight.isEmpty() && inFlight.peekFirst().isDone())) {
          builder.add(ChunkedFiles.join(inFlight.removeFirst()));
        }
        // read before taking a slot of the client's budget: a slow stream (a trickling HTTP
        // body) holds only its own buffer, never a slot every other upload waits for
        byte[] chunk = new byte[chunkSize];
        int n = in.readNBytes(chunk, 0, chunkSize);
        if (n == 0) {
          break;
        }
        byte[] data = n == chunkSize ? chunk : Arrays.copyOf(chunk, n);
        inFlight.addLast(files.inChunkSlot(n, () -> files.storeChunk(data)));
        if (n < chunkSize) {
          break;
        }
      }
      while (!inFlight.isEmpty()) {
        builder.add(ChunkedFiles.join(inFlight.removeFirst()));
      }
      return builder.finish();
    } catch (IOException | RuntimeException e) {
      settle(inFlight);
      throw e;
    }
  }

  /** Waits for uploads still running, so that a failed upload leaves no work behind. */
  static void settle(Iterable<? extends CompletableFuture<?>> inFlight) {
    for (CompletableFuture<?> f : inFlight) {
      try {
        f.join();
      } catch (RuntimeException ignored) {
        // the first failure is the one reported
      }
    }
  }
}
