package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.identity.NodeId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Servers that connect at once and then answer every request late (a loaded disk, or announced
 * fakes, bench/attacks/a11): with enough others on the ring, an upload sets them aside after
 * the connect grace instead of waiting for each of their answers, and places nothing there.
 */
class UploadPastSlowServersTest {
  private static final long SLOW_MILLIS = 8_000;
  @TempDir static Path dir;
  static TestGrid grid;
  static Set<NodeId> slow;

  @BeforeAll
  static void start() throws Exception {
    grid = new TestGrid(dir, 20);
    for (int i = 0; i < 10; i++) {
      grid.server(i).faults().slow(SLOW_MILLIS);
    }
    slow = grid.servers().subList(0, 10).stream().map(TestServer::nodeId)
        .collect(Collectors.toSet());
  }

  @AfterAll
  static void stop() {
    grid.servers().forEach(s -> s.faults().slow(0));
    grid.close();
  }

  /** 150 KB: shares allocated at once (no listing); 1 MB: servers asked what they hold first. */
  @ParameterizedTest
  @ValueSource(ints = {150_000, 1_000_000})
  void anUploadSetsSlowServersAsideAndPlacesNothingThere(int size) throws Exception {
    GridClient client = grid.client(GridConfig.builder().connectGrace(Duration.ofSeconds(1))
        .build());
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);

    long start = System.nanoTime();
    UploadResult r = client.upload(PlaintextSource.of(data)).get();
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(r.happiness()).isGreaterThanOrEqualTo(7);
    r.placement().values().forEach(ids -> assertThat(ids).doesNotContainAnyElementsOf(slow));
    // waiting for the slow servers' answers took at least two of their 8 s delays
    assertThat(took).isLessThan(Duration.ofMillis(SLOW_MILLIS));
  }
}
