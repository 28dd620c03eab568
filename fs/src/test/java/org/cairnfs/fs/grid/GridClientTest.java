package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.testing.TestGrid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link GridClient} offers the layers above besides upload and open (3 servers, 2-of-3). */
class GridClientTest {
  static final EncodingParams PARAMS = EncodingParams.builder().k(2).happy(3).n(3)
      .segmentSize(4096).build();
  @TempDir Path dir;
  TestGrid grid;
  GridClient client;

  @BeforeEach
  void start() throws Exception {
    grid = new TestGrid(dir, 3);
    client = grid.client(GridConfig.builder().params(PARAMS).build());
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  static byte[] bytes(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void uploadUnderKeyStoresTheFileUnderExactlyThatKey() throws Exception {
    byte[] data = bytes(10_000, 1);
    byte[] key = bytes(32, 2);
    UploadResult r = client.uploadUnderKey(PlaintextSource.of(data), PARAMS, key)
        .get(20, TimeUnit.SECONDS);
    ImmutableReadCap cap = (ImmutableReadCap) r.cap();
    assertThat(cap.key()).isEqualTo(key);
    assertThat(cap.size()).isEqualTo(data.length);
    assertThat(r.happiness()).isEqualTo(3);
    try (ImmutableFile file = client.open(cap)) {
      assertThat(file.read(0, data.length).get(20, TimeUnit.SECONDS)).isEqualTo(data);
    }
    // the same bytes under the same key are the same file; under another key another one
    UploadResult again = client.uploadUnderKey(PlaintextSource.of(data), PARAMS, key)
        .get(20, TimeUnit.SECONDS);
    assertThat(again.cap()).isEqualTo(cap);
    assertThat(again.sharesUploaded()).isZero();
    byte[] other = key.clone();
    other[0] ^= 1;
    UploadResult elsewhere = client.uploadUnderKey(PlaintextSource.of(data), PARAMS, other)
        .get(20, TimeUnit.SECONDS);
    assertThat(elsewhere.index()).isNotEqualTo(r.index());
    assertThat(((ImmutableReadCap) elsewhere.cap()).key()).isEqualTo(other);
  }

  @Test
  void workersRunTheCallersTasksOnDaemonThreadsUntilClosed() throws Exception {
    String[] seen = new String[1];
    boolean daemon = client.workers().submit(() -> {
      seen[0] = Thread.currentThread().getName();
      return Thread.currentThread().isDaemon();
    }).get(20, TimeUnit.SECONDS);
    assertThat(daemon).as("a worker keeps no JVM alive").isTrue();
    assertThat(seen[0]).startsWith("cairn-grid-");
    client.close();
    assertThat(client.workers().isShutdown()).isTrue();
    assertThat(client.servers().serverIds()).as("the pool stays open").hasSize(3);
  }
}
