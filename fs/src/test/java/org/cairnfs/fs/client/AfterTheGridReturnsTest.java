package org.cairnfs.fs.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.fs.grid.ClientSecrets;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.grid.ServerPool;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes (an upload, a new mutable file, a mutable overwrite) and reads (a file, a mutable file,
 * a directory) right after the grid came back succeed, instead of failing at once because the
 * client's links are still backing off from the outage (up to a minute): what {@code cairn
 * put} and {@code ls} through a running node, the gateway and the mount do. Four real servers,
 * all stopped and started again.
 */
class AfterTheGridReturnsTest {
  static final GridConfig CONFIG = GridConfig.builder()
      .params(EncodingParams.builder().k(2).happy(3).n(4).segmentSize(16 * 1024).build())
      .stallTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(3)).build();

  @TempDir Path dir;

  /** A client's pool of {@code grid}, backing off from {@code min} to a minute. */
  static ServerPool pool(TestGrid grid, Duration min) {
    NodeKey key = NodeKey.generate();
    return ServerPool.builder(grid.membership(key), key).clientOptions(TestGrid.CLIENT_OPTIONS)
        .reconnectBackoff(min, Duration.ofSeconds(60)).build();
  }

  /** Each kind first after the outage, so each must bring the links back by itself. */
  @ParameterizedTest
  @ValueSource(strings = {"upload", "overwrite mutable", "create mutable"})
  void aWriteAfterTheGridReturnsDoesNotFailOnLinksStillBackingOff(String first)
      throws Exception {
    try (TestGrid grid = new TestGrid(dir.resolve("grid"), 4)) {
      ServerPool pool = pool(grid, Duration.ofMillis(100));
      try (GridClient client = GridClient.create(pool,
          ClientSecrets.random(new SecureRandom()), CONFIG)) {
        ClientFileSystem fs = ClientFileSystem.create(client);
        String mutable = fs.createMutable(new byte[] {1, 2, 3}).get(30, TimeUnit.SECONDS);
        grid.servers().forEach(TestServer::kill);
        // every link backs off until at least 5 s from now
        TestGrid.awaitAllBackingOff(pool, Duration.ofSeconds(5));
        for (TestServer s : grid.servers()) {
          s.start();
        }
        switch (first) {
          case "upload" -> {
            byte[] data = new byte[100_000];
            new Random(7).nextBytes(data);
            String cap = fs.upload(new ByteArrayInputStream(data)).get(30, TimeUnit.SECONDS);
            assertThat(fs.read(cap, 0, data.length).get(30, TimeUnit.SECONDS)).isEqualTo(data);
          }
          case "overwrite mutable" -> {
            fs.overwriteMutable(mutable, new byte[] {4, 5}).get(30, TimeUnit.SECONDS);
            assertThat(fs.readMutable(mutable).get(30, TimeUnit.SECONDS).contents())
                .containsExactly(4, 5);
          }
          default -> {
            String made = fs.createMutable(new byte[] {6}).get(30, TimeUnit.SECONDS);
            assertThat(fs.readMutable(made).get(30, TimeUnit.SECONDS).contents())
                .containsExactly(6);
          }
        }
        assertThat(pool.connectedCount()).isEqualTo(4);
      }
    }
  }

  /**
   * Reads likewise: a file, a mutable file and a directory read right after the grid came back
   * are served then, not failed (or waited for) until the links' backoff from the outage ends.
   */
  @ParameterizedTest
  @ValueSource(strings = {"read file", "read mutable", "list directory"})
  void aReadAfterTheGridReturnsDoesNotWaitForLinksStillBackingOff(String first)
      throws Exception {
    try (TestGrid grid = new TestGrid(dir.resolve("grid"), 4)) {
      ServerPool pool = pool(grid, Duration.ofSeconds(20));
      try (GridClient client = GridClient.create(pool,
          ClientSecrets.random(new SecureRandom()), CONFIG)) {
        ClientFileSystem fs = ClientFileSystem.create(client);
        byte[] data = new byte[100_000];
        new Random(8).nextBytes(data);
        String file = fs.upload(new ByteArrayInputStream(data)).get(30, TimeUnit.SECONDS);
        String mutable = fs.createMutable(new byte[] {1, 2, 3}).get(30, TimeUnit.SECONDS);
        String directory = fs.createDirectory().get(30, TimeUnit.SECONDS);
        grid.servers().forEach(TestServer::kill);
        // every link backs off for 15 s at least (its first backoff: 16 to 20 s)
        TestGrid.awaitAllBackingOff(pool, Duration.ofSeconds(15));
        for (TestServer s : grid.servers()) {
          s.start();
        }
        long start = System.nanoTime();
        switch (first) {
          case "read file" ->
              assertThat(fs.read(file, 0, data.length).get(30, TimeUnit.SECONDS)).isEqualTo(data);
          case "read mutable" ->
              assertThat(fs.readMutable(mutable).get(30, TimeUnit.SECONDS).contents())
                  .containsExactly(1, 2, 3);
          default -> assertThat(fs.list(directory).get(30, TimeUnit.SECONDS)).isEmpty();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      }
    }
  }
}
