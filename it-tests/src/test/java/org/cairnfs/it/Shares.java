package org.cairnfs.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeKey;

/** Blocking share transfers against a storage server process, for tests. */
final class Shares {
  static final ClientOptions OPTIONS = ClientOptions.builder()
      .connectTimeout(Duration.ofSeconds(15)).requestTimeout(Duration.ofSeconds(30)).build();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long WAIT_SECONDS = 60;

  private Shares() {}

  /** A pinned connection to the storage server of node directory {@code dir}. */
  static StorageClient connect(NodeKey key, Path dir, int port) throws Exception {
    return get(StorageClient.connect(OPTIONS, key, "127.0.0.1", port, NodeDirs.nodeId(dir)));
  }

  static StorageIndex randomIndex() {
    byte[] b = new byte[StorageIndex.LENGTH];
    RANDOM.nextBytes(b);
    return StorageIndex.of(b);
  }

  static byte[] secret() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return b;
  }

  /** Deterministic content, different for every (seed, length). */
  static byte[] content(long seed, int length) {
    byte[] b = new byte[length];
    new Random(seed * 31 + length).nextBytes(b);
    return b;
  }

  static void allocate(StorageClient c, StorageIndex si, int share, long size) throws Exception {
    Set<Integer> got = get(c.allocate(si, secret(), secret(), size, Set.of(share))).allocated();
    if (!got.equals(Set.of(share))) {
      throw new AssertionError("allocating share " + share + " of " + si + " gave " + got);
    }
  }

  /** Allocate, write in {@code chunk}-byte pieces, close; returns when the close is acknowledged. */
  static void upload(StorageClient c, StorageIndex si, int share, byte[] data, int chunk)
      throws Exception {
    allocate(c, si, share, data.length);
    for (int off = 0; off < data.length; off += chunk) {
      get(c.writeChunk(si, share, off, Arrays.copyOfRange(data, off, Math.min(data.length, off + chunk))));
    }
    get(c.closeShare(si, share));
  }

  /** The whole share, read in 1 MiB ranges. */
  static byte[] read(StorageClient c, StorageIndex si, int share, long size) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (long off = 0; off < size; ) {
      byte[] part = get(c.readRange(si, share, off, (int) Math.min(1 << 20, size - off)));
      if (part.length == 0) {
        break;
      }
      out.write(part);
      off += part.length;
    }
    return out.toByteArray();
  }

  /** The future's value, or its failure's cause thrown as is. */
  static <T> T get(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new IOException("no answer within " + WAIT_SECONDS + " s", e);
    }
  }
}
