package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.mutable.MutableFiles;
import org.cairnfs.fs.mutable.MutableVersion;
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
 * fakes, bench/attacks/a11): 30 of them and 10 others. With enough others on the ring, an
 * upload sets them aside after the connect grace instead of waiting for each of their answers,
 * and places nothing there. A publish walked only three rounds of replacements, so a new slot
 * among them failed its happiness (6 of 7) until rounds of slow servers stopped counting.
 */
class UploadPastSlowServersTest {
  private static final long SLOW_MILLIS = 8_000;
  @TempDir static Path dir;
  static TestGrid grid;
  static Set<NodeId> slow;

  @BeforeAll
  static void start() throws Exception {
    grid = new TestGrid(dir, 40);
    for (int i = 0; i < 30; i++) {
      grid.server(i).faults().slow(SLOW_MILLIS);
    }
    slow = grid.servers().subList(0, 30).stream().map(TestServer::nodeId)
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

  /**
   * A mutable file (a directory) made and read past them: a new slot's map and a plain read set
   * slow readers aside, a publish moves shares off slow writers. A change still waits for every
   * slow reader (what it builds on and its check for another writer must see them all).
   */
  @org.junit.jupiter.api.Test
  void aMutableFileIsMadeAndReadPastSlowServers() throws Exception {
    GridClient client = grid.client(GridConfig.builder().connectGrace(Duration.ofSeconds(1))
        .build());
    MutableFiles mutable = MutableFiles.on(client);

    long start = System.nanoTime();
    MutableWriteCap cap = mutable.create(new byte[] {1, 2, 3}).get();
    Duration creating = Duration.ofNanos(System.nanoTime() - start);
    mutable.overwrite(cap, new byte[] {4, 5}).get();
    start = System.nanoTime();
    MutableVersion read = mutable.read(cap.readOnly()).get();
    Duration reading = Duration.ofNanos(System.nanoTime() - start);

    assertThat(read.contents()).containsExactly(4, 5);
    assertThat(read.seqnum()).isEqualTo(2);
    // each waited at least one slow server's delay before (a new slot failed its happiness,
    // 6 of 7, while every round of moved shares counted)
    assertThat(creating).isLessThan(Duration.ofMillis(SLOW_MILLIS));
    assertThat(reading).isLessThan(Duration.ofMillis(SLOW_MILLIS));
  }
}
