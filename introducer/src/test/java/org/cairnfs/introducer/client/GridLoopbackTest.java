package org.cairnfs.introducer.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.introducer.server.IntroducerServer;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One introducer, three publishers and subscribers in one JVM over real loopback TLS. */
class GridLoopbackTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final ClientOptions OPTIONS = ClientOptions.builder()
      .connectTimeout(Duration.ofSeconds(3)).requestTimeout(Duration.ofSeconds(5)).build();
  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private <T extends AutoCloseable> T track(T t) {
    open.add(t);
    return t;
  }

  private AnnouncementPublisher publisher(IntroducerUrl url, int i, AtomicLong free) {
    return track(AnnouncementPublisher.builder(NodeKey.generate()).introducer(url)
        .nickname("storage-" + i).address(new HostPort("127.0.0.1", 5000 + i))
        .softwareVersion("cairn-test").freeSpace(free::get).clientOptions(OPTIONS)
        .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
        .republishInterval(Duration.ofHours(1)).build().start());
  }

  private GridMembership subscriber(IntroducerUrl url, Path cache) {
    return track(GridMembership.builder(NodeKey.generate()).introducer(url).cacheFile(cache)
        .clientOptions(OPTIONS).reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
        .saveDelay(Duration.ZERO).build().start());
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void gridSurvivesIntroducerRestart() throws Exception {
    NodeKey introducerKey = NodeKey.generate();
    IntroducerServer introducer = IntroducerServer.start(introducerKey, "127.0.0.1", 0);
    IntroducerUrl url = introducer.url();
    List<AtomicLong> free = List.of(new AtomicLong(100), new AtomicLong(200), new AtomicLong(300));
    List<AnnouncementPublisher> publishers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      publishers.add(publisher(url, i, free.get(i)));
    }
    Path cacheFile = dir.resolve("announcements.cache");
    GridMembership first = subscriber(url, cacheFile);

    // All three arrive within seconds, and reach the cache.
    assertThat(first.awaitServers(3, WAIT)).extracting(GridServer::nickname)
        .containsExactlyInAnyOrder("storage-0", "storage-1", "storage-2");
    assertThat(first.servers()).extracting(GridServer::freeSpace).containsExactlyInAnyOrder(100L, 200L, 300L);
    AnnouncementCache cache = new AnnouncementCache(cacheFile);
    await("cache holding 3 servers", () -> cache.load().size() == 3);

    // Introducer gone: a new subscriber starts from the cache alone.
    introducer.close();
    java.nio.file.Files.copy(cacheFile, dir.resolve("copy.cache"));
    GridMembership restarted = subscriber(url, dir.resolve("copy.cache"));
    assertThat(restarted.servers()).extracting(GridServer::nickname)
        .containsExactlyInAnyOrder("storage-0", "storage-1", "storage-2");
    assertThat(restarted.connectedIntroducers()).isZero();

    // Introducer back on the same port: publishers and subscribers reconnect, updates flow again.
    IntroducerServer again = track(IntroducerServer.start(introducerKey, "127.0.0.1", url.address().port()));
    await("introducer holding 3 servers again", () -> again.service().announcements().size() == 3);
    await("both subscribers reconnected", () -> first.connectedIntroducers() == 1
        && restarted.connectedIntroducers() == 1);
    free.get(1).set(999);
    publishers.get(1).publishNow().get();
    await("update seen by the first subscriber", () -> first.servers().stream().anyMatch(s -> s.freeSpace() == 999));
    await("update seen by the restarted subscriber", () -> restarted.servers().stream().anyMatch(s -> s.freeSpace() == 999));
  }
}
