package org.cairnfs.bench.net;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.message.WireLimits;

/**
 * Moves 1 MiB chunks over one connection with a fixed number of requests in flight, the way an
 * uploader pipelines: a chunk counts once the server has answered it. Runs until a chunk count is
 * reached or {@link #stop()} is called from another thread; {@link #ackedBytes()} may be sampled
 * at any time, so a caller can time a window in the middle of a long transfer.
 */
final class ChunkPump {
  static final int CHUNK = WireLimits.MAX_CHUNK;

  enum Direction { WRITE, READ }

  private final StorageClient client;
  private final StorageIndex index;
  private final int share;
  private final int window;
  private final LongAdder acked = new LongAdder();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean stopped;

  ChunkPump(StorageClient client, StorageIndex index, int share, int window) {
    if (window < 1 || window > 64) {
      throw new IllegalArgumentException("window must be 1..64 requests, got " + window);
    }
    this.client = client;
    this.index = index;
    this.share = share;
    this.window = window;
  }

  long ackedBytes() {
    return acked.sum();
  }

  void stop() {
    stopped = true;
  }

  /**
   * Sends up to {@code chunks} requests (Long.MAX_VALUE: until stopped) and waits for every answer.
   * Writes go to increasing offsets with {@code source} stamped by {@link ChunkPattern}; reads
   * of chunk i are checked against the same pattern when {@code verify} is set.
   */
  void run(Direction direction, long chunks, byte[] source, boolean verify)
      throws IOException, InterruptedException {
    Semaphore permits = new Semaphore(window);
    byte[] buffer = source.clone();
    for (long i = 0; i < chunks && !stopped && failure.get() == null; i++) {
      permits.acquire();
      long offset = i * CHUNK;
      CompletableFuture<?> answer;
      if (direction == Direction.WRITE) {
        ChunkPattern.stamp(buffer, share, i);
        answer = client.writeChunk(index, share, offset, buffer); // copies the buffer at once
      } else {
        long chunkNo = i;
        answer = client.readRange(index, share, offset, CHUNK).thenAccept(data -> {
          if (verify) {
            ChunkPattern.check(data, source, share, chunkNo);
          }
        });
      }
      answer.whenComplete((ignored, error) -> {
        if (error != null) {
          failure.compareAndSet(null, error);
        } else {
          acked.add(CHUNK);
        }
        permits.release();
      });
    }
    permits.acquire(window);
    Throwable error = failure.get();
    if (error != null) {
      throw new IOException(direction + " of " + index + " share " + share + " failed: " + error, error);
    }
  }
}
