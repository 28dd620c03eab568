package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A storage server process SIGKILLed while several clients upload: after a restart on the same
 * directory and port every acknowledged share is there with its exact bytes, nothing half
 * written is visible, the incoming area is empty and the space accounting matches the disk.
 */
class CrashRecoveryTest {
  private static final int UPLOADERS = 6;
  private static final int CHUNK = 32 * 1024;
  private static final long MAX_SPACE = 256L << 20;
  private static final Duration START = Duration.ofSeconds(60);

  @TempDir
  Path tmp;

  private ChildJvms jvms;
  private ExecutorService uploaders;
  private final NodeKey client = NodeKey.generate();

  /** One share upload and how far it got before the crash. */
  private record Upload(StorageIndex index, byte[] data) {}

  private enum State { STARTED, ACKNOWLEDGED }

  @BeforeEach
  void setUp() {
    jvms = new ChildJvms(tmp.resolve("logs"));
    uploaders = Executors.newFixedThreadPool(UPLOADERS);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    uploaders.shutdownNow();
    uploaders.awaitTermination(30, TimeUnit.SECONDS);
    jvms.close();
  }

  @Test
  void sigkillDuringUploadsKeepsAcknowledgedSharesAndHidesPartialOnes() throws Exception {
    int port = NodeDirs.freePort();
    Path dir = NodeDirs.createNode(tmp.resolve("server"), NodeDirs.absentIntroducerUrl(),
        "--port", Integer.toString(port), "--max-space", "256M", "--reserved-space", "0");
    CairnProcess server = jvms.runNodes(List.of(dir), START).get(0);

    Map<Upload, State> uploads = new ConcurrentHashMap<>();
    AtomicInteger acknowledged = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < UPLOADERS; t++) {
      int thread = t;
      running.add(uploaders.submit(() -> {
        try (StorageClient c = Shares.connect(client, dir, port)) {
          for (int i = 0; !stop.get(); i++) {
            int size = ThreadLocalRandom.current().nextInt(64 * 1024, 1 << 20);
            Upload u = new Upload(Shares.randomIndex(), Shares.content(thread * 100_000L + i, size));
            uploads.put(u, State.STARTED);
            Shares.upload(c, u.index(), 0, u.data(), CHUNK);
            uploads.put(u, State.ACKNOWLEDGED);
            acknowledged.incrementAndGet();
          }
        }
        return null;
      }));
    }
    Await.until("a dozen uploads are acknowledged",
        () -> acknowledged.get() >= 12 || running.stream().anyMatch(Future::isDone),
        Duration.ofSeconds(90));
    assertThat(running).as("no uploader failed before the crash").noneMatch(Future::isDone);

    server.kill();
    stop.set(true);
    for (Future<?> f : running) {
      try {
        f.get(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException expected) {
        // the connection died under it
      }
    }
    Path incoming = dir.resolve("storage/shares/incoming");
    assertThat(filesUnder(incoming)).as("uploads were in progress at the kill").isNotEmpty();

    CairnProcess restarted = jvms.runNodes(List.of(dir), START).get(0);
    assertThat(ChildJvms.storagePort(restarted)).isEqualTo(port);
    assertThat(server.isAlive()).isFalse();
    assertThat(filesUnder(incoming)).as("incoming area after restart").isEmpty();

    long acknowledgedBytes = 0;
    long presentBytes = 0;
    int partialSeen = 0;
    try (StorageClient c = Shares.connect(client, dir, port)) {
      for (Map.Entry<Upload, State> e : uploads.entrySet()) {
        Upload u = e.getKey();
        List<Response.ShareSize> listed = Shares.get(c.listShares(u.index()));
        if (e.getValue() == State.ACKNOWLEDGED) {
          assertThat(listed).as("acknowledged share of %s", u.index())
              .containsExactly(new Response.ShareSize(0, u.data().length));
          acknowledgedBytes += u.data().length;
        } else if (listed.isEmpty()) {
          assertThat(Shares.get(c.shareNumbers(u.index()))).isEmpty();
          partialSeen++;
          continue;
        } else {
          // Closed just before the kill, its acknowledgement lost: whole or not at all.
          assertThat(listed).containsExactly(new Response.ShareSize(0, u.data().length));
        }
        assertThat(Shares.get(c.shareNumbers(u.index()))).containsExactly(0);
        assertThat(Shares.read(c, u.index(), 0, u.data().length))
            .as("bytes of %s", u.index()).isEqualTo(u.data());
        presentBytes += u.data().length;
      }
      assertThat(partialSeen).as("uploads cut short by the kill").isPositive();
      assertThat(countShareFiles(dir.resolve("storage/shares")))
          .as("share files on disk are exactly the ones listed")
          .isEqualTo(uploads.size() - partialSeen);

      // Space accounting survived the crash: every acknowledged share is charged, and
      // nothing beyond what is on disk (a share renamed but not yet recorded is adopted later).
      long used = MAX_SPACE - Shares.get(c.serverInfo()).freeSpace();
      assertThat(used).isBetween(acknowledgedBytes, presentBytes);

      // An upload cut short can simply be done again.
      Upload redo = uploads.entrySet().stream()
          .filter(e -> e.getValue() == State.STARTED).map(Map.Entry::getKey)
          .filter(u -> {
            try {
              return Shares.get(c.listShares(u.index())).isEmpty();
            } catch (Exception ex) {
              throw new AssertionError(ex);
            }
          })
          .findFirst().orElseThrow();
      Shares.upload(c, redo.index(), 0, redo.data(), 256 * 1024);
      assertThat(Shares.read(c, redo.index(), 0, redo.data().length)).isEqualTo(redo.data());
    }
  }

  private static List<Path> filesUnder(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  /** Share files outside the incoming area. */
  private static long countShareFiles(Path shares) throws Exception {
    Path incoming = shares.resolve("incoming");
    return filesUnder(shares).stream().filter(p -> !p.startsWith(incoming)).count();
  }
}
