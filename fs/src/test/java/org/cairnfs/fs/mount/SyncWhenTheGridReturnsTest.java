package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.fs.client.ClientFileSystem;
import org.cairnfs.fs.grid.ClientSecrets;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.grid.ServerPool;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sync right after the grid came back uploads, instead of failing at once because the
 * client's links to the servers are still backing off from the outage (up to a minute): a
 * waiter makes them try at once. Four real servers, all stopped and started again.
 */
class SyncWhenTheGridReturnsTest {
  static final Duration HOUR = Duration.ofHours(1);
  static final GridConfig CONFIG = GridConfig.builder()
      .params(EncodingParams.builder().k(2).happy(3).n(4).segmentSize(16 * 1024).build())
      .stallTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(3)).build();

  @TempDir Path dir;

  @Test
  void aSyncAfterTheGridReturnsUploadsInsteadOfFailingOnLinksStillBackingOff() throws Exception {
    try (TestGrid grid = new TestGrid(dir.resolve("grid"), 4)) {
      NodeKey key = NodeKey.generate();
      ServerPool pool = ServerPool.builder(grid.membership(key), key)
          .clientOptions(TestGrid.CLIENT_OPTIONS)
          .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(60)).build();
      try (GridClient client = GridClient.create(pool,
          ClientSecrets.random(new SecureRandom()), CONFIG)) {
        ClientFileSystem fs = ClientFileSystem.create(client);
        String root = fs.createDirectory().get();
        try (CoreFixture fx = new CoreFixture(fs, root, dir.resolve("cache"),
            b -> b.coalesceDelay(HOUR).coalesceLimit(HOUR))) {
          MountCore c = fx.core;
          assertThat(c.readdir("/")).isNotNull(); // the root is listed before the grid goes
          grid.servers().forEach(TestServer::kill);
          byte[] data = CoreFixture.bytes(100_000, 7);
          long fh = fx.create("/f");
          c.write(fh, ByteBuffer.wrap(data), 0);
          c.flush(fh);
          c.release(fh);
          // every link backs off until at least 5 s from now (attempts at about 0.1, 0.3,
          // 0.7, 1.5, 3.1 s after the drop, the next one 6.4 s less up to a fifth later)
          TestGrid.awaitAllBackingOff(pool, Duration.ofSeconds(5));
          for (TestServer s : grid.servers()) {
            s.start();
          }
          c.sync(Duration.ofSeconds(30));
          assertThat(c.status().clean()).as("%s", c.status()).isTrue();
          assertThat(pool.connectedCount()).isEqualTo(4);
          String cap = fs.list(root).get().get(0).cap().orElseThrow();
          assertThat(fs.read(cap, 0, data.length).get()).isEqualTo(data);
        }
      }
    }
  }
}
