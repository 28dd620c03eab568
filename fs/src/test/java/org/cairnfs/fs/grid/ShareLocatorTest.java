package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ShareLocator} over ten real servers holding one share each. The locator's k and n are
 * chosen per test (they need not be the file's): n=1 makes batches of two servers, so which
 * batch finds what is fixed by ring position.
 */
class ShareLocatorTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  @TempDir Path dir;
  TestGrid grid;
  StorageIndex si;
  List<NodeId> ring;
  final Map<NodeId, Integer> shareOn = new HashMap<>();

  @BeforeEach
  void upload() throws Exception {
    grid = new TestGrid(dir, 10);
    GridClient client = grid.client(UploadFaultsTest.FAST);
    UploadResult r = client.upload(PlaintextSource.of(UploadFaultsTest.random(300_000, 51)))
        .get(60, TimeUnit.SECONDS);
    si = r.index().orElseThrow();
    ring = PermutedRing.order(si, client.servers().serverIds());
    r.placement().forEach((share, servers) -> servers.forEach(s -> shareOn.put(s, share)));
    assertThat(shareOn).hasSize(10);
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  /** The share held by the server at {@code position} on the ring. */
  int shareAt(int position) {
    return shareOn.get(ring.get(position));
  }

  TestServer at(int position) {
    return grid.byId(ring.get(position));
  }

  /** A started locator over a new client's pool. */
  ShareLocator locate(int k, int n, Duration grace) {
    return new ShareLocator(grid.pool(NodeKey.generate()), si, k, n, TIMEOUT, grace).start();
  }

  static void await(java.util.concurrent.CompletableFuture<Void> f) throws Exception {
    f.get(20, TimeUnit.SECONDS);
  }

  @Test
  void aWaiterThatGivesUpAndCancelsLeavesTheOthersWaiting() throws Exception {
    at(0).faults().holdListing(true);
    try {
      ShareLocator locator = locate(1, 1, Duration.ofMillis(100));
      // Await.get cancels the future it timed out on
      locator.ready().cancel(false);
      locator.finished().cancel(false);
      at(0).faults().release();
      await(locator.ready());
      await(locator.finished());
      assertThat(locator.located()).contains(shareAt(0));
    } finally {
      at(0).faults().release();
    }
  }

  @Test
  void theNextBatchIsAskedWhileFewerThanKSharesAreKnown() throws Exception {
    ShareLocator locator = locate(3, 1, Duration.ofMillis(100));
    await(locator.ready());
    await(locator.finished());
    assertThat(locator.asked()).isEqualTo(4);
    assertThat(locator.located())
        .containsExactlyInAnyOrder(shareAt(0), shareAt(1), shareAt(2), shareAt(3));
  }

  @Test
  void exactlyKSharesInTheFirstBatchAskNoFurther() throws Exception {
    ShareLocator locator = locate(2, 1, Duration.ofMillis(100));
    await(locator.ready());
    await(locator.finished());
    assertThat(locator.asked()).isEqualTo(2);
    assertThat(locator.located()).containsExactlyInAnyOrder(shareAt(0), shareAt(1));
  }

  /** Fewer than k shares on the whole ring: ready (and finished) once every server answered. */
  @Test
  void aRingWithTooFewSharesSettlesOnceEveryServerHasAnswered() throws Exception {
    for (int i = 2; i < 10; i++) {
      at(i).kill();
    }
    ShareLocator locator = locate(3, 10, Duration.ofMillis(100));
    await(locator.ready());
    await(locator.finished());
    assertThat(locator.asked()).isEqualTo(10);
    assertThat(locator.serversKnown()).as("the ring, for the reader's error").isEqualTo(10);
    assertThat(locator.located()).containsExactlyInAnyOrder(shareAt(0), shareAt(1));
    assertThat(locator.problems()).containsOnlyKeys(ring.subList(2, 10))
        .allSatisfy((server, why) -> assertThat(why).isNotBlank());
  }

  @Test
  void anEmptyRingIsReadyAtOnce() throws Exception {
    try (TestGrid empty = new TestGrid(dir.resolve("empty"), 0)) {
      ShareLocator locator = new ShareLocator(empty.pool(NodeKey.generate()), si, 3, 10,
          TIMEOUT, Duration.ofMillis(100)).start();
      await(locator.ready());
      await(locator.finished());
      assertThat(locator.asked()).isZero();
      assertThat(locator.located()).isEmpty();
      assertThat(locator.serversKnown()).isZero();
    }
  }

  /**
   * k shares known while the rest of the batch has not answered: ready after the grace period,
   * the others still awaited (they hold their answer until released, so the order is fixed).
   */
  @Test
  void theGracePeriodStartsOnceKSharesAreKnown() throws Exception {
    for (int i = 3; i < 10; i++) {
      at(i).faults().holdListing(true);
    }
    ShareLocator locator = locate(3, 10, Duration.ofMillis(100));
    await(locator.ready());
    assertThat(locator.located()).containsExactlyInAnyOrder(shareAt(0), shareAt(1), shareAt(2));
    assertThat(locator.finished()).isNotDone();
    for (int i = 3; i < 10; i++) {
      at(i).faults().release();
    }
    await(locator.finished());
    assertThat(locator.located()).hasSize(10);
    assertThat(locator.asked()).isEqualTo(10);
  }

  /** Puts a copy of the share at ring position {@code from} on the server at {@code to}. */
  int copyShare(int from, int to) throws Exception {
    int share = shareAt(from);
    Files.copy(at(from).sharePath(si, share), at(to).sharePath(si, share));
    return share;
  }

  /**
   * A copy found in the second batch by a quick answer comes before one found in the first by
   * a slow answer (the order of arrival is the other way round).
   */
  @Test
  void holdersComeFastestFirst() throws Exception {
    int share = copyShare(0, 2);
    at(0).faults().delayListing(1500);
    ServerPool pool = grid.pool(NodeKey.generate());
    for (NodeId id : ring) {
      pool.connect(id).get(20, TimeUnit.SECONDS);
    }
    ShareLocator locator = new ShareLocator(pool, si, 3, 1, TIMEOUT, Duration.ofMillis(100))
        .start();
    await(locator.finished());
    assertThat(locator.asked()).isEqualTo(4);
    assertThat(locator.holders(share)).extracting(ShareLocator.Holder::server)
        .containsExactly(ring.get(2), ring.get(0));
  }

  @Test
  void excludeForgetsOneServersCopyAndSaysWhetherAnotherIsKnown() throws Exception {
    int share = copyShare(0, 1);
    ShareLocator locator = locate(3, 1, Duration.ofMillis(100));
    await(locator.finished());
    assertThat(locator.holders(share)).hasSize(2);
    assertThat(locator.exclude(share, ring.get(0))).isTrue();
    assertThat(locator.holders(share)).extracting(ShareLocator.Holder::server)
        .containsExactly(ring.get(1));
    assertThat(locator.located()).contains(share);
    assertThat(locator.exclude(share, ring.get(1))).isFalse();
    assertThat(locator.holders(share)).isEmpty();
    assertThat(locator.located()).doesNotContain(share);
    assertThat(locator.exclude(share, ring.get(1))).isFalse();
  }

  /**
   * With k shares known the locator stops; askFurther asks exactly the next batch (none past
   * it), each call further along the ring, and completes false at once when all were asked.
   */
  @Test
  void askFurtherAsksOnlyTheNextBatchAndFalseOnceEveryServerWasAsked() throws Exception {
    int[] before = new int[10];
    for (int i = 0; i < 10; i++) {
      before[i] = at(i).faults().listings();
    }
    ShareLocator locator = locate(2, 1, Duration.ofMillis(100));
    await(locator.finished());
    assertThat(locator.asked()).isEqualTo(2);
    assertThat(locator.askFurther().get(20, TimeUnit.SECONDS)).isTrue();
    assertThat(locator.asked()).isEqualTo(4);
    assertThat(locator.located()).containsExactlyInAnyOrder(shareAt(0), shareAt(1), shareAt(2),
        shareAt(3));
    for (int i = 4; i < 10; i++) {
      assertThat(at(i).faults().listings()).as("listings at ring position %s", i)
          .isEqualTo(before[i]);
    }
    for (int call = 3; call <= 5; call++) {
      assertThat(locator.askFurther().get(20, TimeUnit.SECONDS)).isTrue();
      assertThat(locator.asked()).isEqualTo(2 * call);
    }
    assertThat(locator.located()).hasSize(10);
    java.util.concurrent.CompletableFuture<Boolean> none = locator.askFurther();
    assertThat(none).isCompletedWithValue(false);
    assertThat(locator.asked()).isEqualTo(10);
    for (int i = 0; i < 10; i++) {
      assertThat(at(i).faults().listings()).as("listings at ring position %s", i)
          .isEqualTo(before[i] + 1);
    }
  }
}
