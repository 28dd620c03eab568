package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.mutable.MutableFiles;
import org.cairnfs.fs.testing.SilentListener;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.NodeAddress;
import org.cairnfs.introducer.client.GridMembership;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.storage.share.ShareKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read that comes up short asks the servers that refused while down once more
 * ({@link ServerPool#retryForRead}): the servers holding a file restarted while the client still
 * backs off from them (others staying connected), and it reads at once, not after the backoff.
 * Servers whose attempts fail slowly keep their backoff: a read that cannot succeed still fails
 * at once instead of waiting for them every time.
 */
class ReadsWhenServersReturnTest {
  /** 2-of-2: both holders are needed, so a read fails unless both are asked again. */
  static final EncodingParams BOTH =
      EncodingParams.builder().k(2).happy(2).n(2).segmentSize(16 * 1024).build();
  static final GridConfig CONFIG = GridConfig.builder().params(BOTH)
      .readTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closed(T c) {
    closing.add(c);
    return c;
  }

  /** The servers holding the shares an upload placed. */
  private static Set<NodeId> holders(UploadResult r) {
    Set<NodeId> holders = new HashSet<>();
    r.placement().values().forEach(holders::addAll);
    return holders;
  }

  /** The servers holding shares of the mutable file {@code cap}. */
  private static Set<NodeId> holders(TestGrid grid, MutableWriteCap cap) throws IOException {
    StorageIndex index = cap.storageIndex().orElseThrow();
    Set<NodeId> holders = new HashSet<>();
    for (TestServer s : grid.servers()) {
      if (!s.store().shareSizes(index, ShareKind.MUTABLE).isEmpty()) {
        holders.add(s.nodeId());
      }
    }
    return holders;
  }

  @Test
  void aFileWhoseHoldersRestartedReadsAtOnce() throws Exception {
    TestGrid grid = closed(new TestGrid(dir.resolve("grid"), 6));
    GridClient client = grid.slowToRetryClient(CONFIG);
    byte[] data = new byte[100_000];
    new Random(3).nextBytes(data);
    UploadResult r = client.upload(PlaintextSource.of(data)).get(30, TimeUnit.SECONDS);
    Set<NodeId> holders = holders(r);
    assertThat(holders).hasSize(2);
    grid.restartWhileConnected(client, holders);
    long start = System.nanoTime();
    assertThat(client.open((ImmutableReadCap) r.cap()).read(0, data.length)
        .get(30, TimeUnit.SECONDS)).isEqualTo(data);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  /**
   * Two reads coming up short at once (a file's chunks read in parallel, two FUSE reads): the
   * first makes the holders try again, the second finds them trying or back, and both read.
   */
  @Test
  void twoReadsAtOnceAfterTheHoldersRestartedBothRead() throws Exception {
    TestGrid grid = closed(new TestGrid(dir.resolve("grid"), 6));
    GridClient client = grid.slowToRetryClient(CONFIG);
    byte[] data = new byte[100_000];
    new Random(5).nextBytes(data);
    UploadResult r = client.upload(PlaintextSource.of(data)).get(30, TimeUnit.SECONDS);
    Set<NodeId> holders = holders(r);
    grid.restartWhileConnected(client, holders);
    ImmutableFile early = client.open((ImmutableReadCap) r.cap()); // locating while they back off
    var a = client.open((ImmutableReadCap) r.cap()).read(0, data.length);
    var b = client.open((ImmutableReadCap) r.cap()).read(0, data.length);
    assertThat(a.get(30, TimeUnit.SECONDS)).isEqualTo(data);
    assertThat(b.get(30, TimeUnit.SECONDS)).isEqualTo(data);
    assertThat(early.read(0, data.length).get(30, TimeUnit.SECONDS)).as("opened before")
        .isEqualTo(data);
  }

  @Test
  void aMutableFileWhoseHoldersRestartedReadsAtOnce() throws Exception {
    TestGrid grid = closed(new TestGrid(dir.resolve("grid"), 6));
    GridClient client = grid.slowToRetryClient(CONFIG);
    MutableFiles files = MutableFiles.on(client);
    MutableWriteCap cap = files.create(new byte[] {7, 8, 9}).get(30, TimeUnit.SECONDS);
    Set<NodeId> holders = holders(grid, cap);
    assertThat(holders).hasSize(2);
    grid.restartWhileConnected(client, holders);
    long start = System.nanoTime();
    var a = files.read(cap.readOnly());
    var b = files.read(cap.readOnly());
    assertThat(a.get(30, TimeUnit.SECONDS).contents()).containsExactly(7, 8, 9);
    assertThat(b.get(30, TimeUnit.SECONDS).contents()).containsExactly(7, 8, 9);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  /** A change (a directory's mkdir) reads the current version first: it too asks again. */
  @Test
  void aMutableFileWhoseHoldersRestartedCanBeChangedAtOnce() throws Exception {
    TestGrid grid = closed(new TestGrid(dir.resolve("grid"), 6));
    GridClient client = grid.slowToRetryClient(CONFIG);
    MutableFiles files = MutableFiles.on(client);
    MutableWriteCap cap = files.create(new byte[] {1}).get(30, TimeUnit.SECONDS);
    Set<NodeId> holders = holders(grid, cap);
    grid.restartWhileConnected(client, holders);
    files.overwrite(cap, new byte[] {2}).get(30, TimeUnit.SECONDS);
    assertThat(files.read(cap.readOnly()).get(30, TimeUnit.SECONDS).contents())
        .containsExactly(2);
  }

  /**
   * Every server announced where nothing answers (a client offline behind a route that drops
   * packets): the first read waits for the attempts and fails; later ones fail at once, as the
   * links keep their backoff (before, an attempt was made and waited for on every read).
   */
  @Test
  void readsThatCannotSucceedStillFailAtOnceWhenTheServersFailSlowly() throws Exception {
    TestGrid grid = closed(new TestGrid(dir.resolve("grid"), 2));
    GridClient writer = closed(grid.client(CONFIG));
    byte[] data = new byte[10_000];
    new Random(4).nextBytes(data);
    ImmutableReadCap cap = (ImmutableReadCap) writer.upload(PlaintextSource.of(data))
        .get(30, TimeUnit.SECONDS).cap();
    SilentListener silent = closed(SilentListener.open());
    NodeKey key = NodeKey.generate();
    GridMembership.Builder b = GridMembership.builder(key);
    for (TestServer s : grid.servers()) {
      b.staticServer(new NodeAddress(s.nodeId(), new HostPort("127.0.0.1",
          silent.port())));
    }
    GridMembership membership = closed(b.build().start());
    ServerPool pool = closed(ServerPool.builder(membership, key)
        .clientOptions(ClientOptions.builder().connectTimeout(Duration.ofSeconds(3))
            .requestTimeout(Duration.ofSeconds(10)).build())
        .reconnectBackoff(Duration.ofMillis(500), Duration.ofSeconds(60)).build());
    GridClient offline = closed(GridClient.create(pool, ClientSecrets.random(new SecureRandom()),
        CONFIG));
    assertThatThrownBy(() -> offline.open(cap).read(0, 100).get(30, TimeUnit.SECONDS))
        .hasMessageContaining("cannot be read now");
    for (int i = 0; i < 3; i++) {
      // past the shortest backoff, so a retry could be asked for, and backing off, not trying
      Thread.sleep(600);
      TestGrid.awaitAllBackingOff(pool, Duration.ZERO);
      long start = System.nanoTime();
      assertThatThrownBy(() -> offline.open(cap).read(0, 100).get(30, TimeUnit.SECONDS))
          .hasMessageContaining("cannot be read now");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isLessThan(Duration.ofMillis(1500));
    }
  }

}
