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
 * An upload, a new mutable file and a mutable overwrite right after the grid came back
 * succeed, instead of failing at once because the client's links are still backing off from
 * the outage (up to a minute): what {@code cairn put} through a running node, the gateway and
 * the mount's uploader do. Four real servers, all stopped and started again.
 */
class WritesWhenTheGridReturnsTest {
  static final GridConfig CONFIG = GridConfig.builder()
      .params(EncodingParams.builder().k(2).happy(3).n(4).segmentSize(16 * 1024).build())
      .stallTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(3)).build();

  @TempDir Path dir;

  /** Each kind first after the outage, so each must bring the links back by itself. */
  @ParameterizedTest
  @ValueSource(strings = {"upload", "overwrite mutable", "create mutable"})
  void aWriteAfterTheGridReturnsDoesNotFailOnLinksStillBackingOff(String first)
      throws Exception {
    try (TestGrid grid = new TestGrid(dir.resolve("grid"), 4)) {
      NodeKey key = NodeKey.generate();
      ServerPool pool = ServerPool.builder(grid.membership(key), key)
          .clientOptions(TestGrid.CLIENT_OPTIONS)
          .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(60)).build();
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
}
