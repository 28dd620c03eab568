package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.ImmutableEncoder;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.storage.lease.Lease;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.LeaseSecrets;
import org.cairnfs.storage.lease.ShareRecord;
import org.cairnfs.storage.share.ShareKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads against servers that are missing, full, failing, stuck, dying or lying. */
class UploadFaultsTest {
  static final GridConfig FAST = GridConfig.builder().stallTimeout(Duration.ofSeconds(2))
      .readTimeout(Duration.ofSeconds(2)).build();
  @TempDir Path dir;
  TestGrid grid;

  @AfterEach
  void stop() {
    if (grid != null) {
      grid.close();
    }
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void tooFewServersFailsNamingTheCountsAndLeavesNothingVisible() throws Exception {
    grid = new TestGrid(dir, 10);
    GridClient client = grid.client(FAST);
    for (int i = 0; i < 5; i++) {
      grid.server(i).kill();
    }
    byte[] data = random(300_000, 1);
    assertThatThrownBy(() -> client.upload(PlaintextSource.of(data)).get())
        .isInstanceOf(ExecutionException.class).cause()
        .isInstanceOfSatisfying(HappinessException.class, e -> {
          assertThat(e.happiness()).isEqualTo(5);
          assertThat(e.happy()).isEqualTo(7);
          assertThat(e.known()).isEqualTo(10);
          assertThat(e.connected()).isEqualTo(5);
          assertThat(e.asked()).isEqualTo(5);
          assertThat(e.accepted()).isEqualTo(5);
          assertThat(e.full()).isZero();
          assertThat(e.problems()).hasSize(5);
          assertThat(e.getMessage()).contains("only 5 distinct servers", "7 needed",
              "10 known, 5 connected, 5 asked, 5 accepted, 0 full", "not reachable");
          assertNothingVisible(e.index());
        });
  }

  @Test
  void fullServersAreCountedAndSkipped() throws Exception {
    grid = new TestGrid(dir, 6);
    for (int i = 0; i < 4; i++) {
      grid.addServer(dir.resolve("small" + i), 50_000);
    }
    GridClient client = grid.client(FAST);
    byte[] data = random(600_000, 2);
    assertThatThrownBy(() -> client.upload(PlaintextSource.of(data)).get())
        .cause().isInstanceOfSatisfying(HappinessException.class, e -> {
          assertThat(e.happiness()).isEqualTo(6);
          assertThat(e.getMessage())
              .contains("10 known, 10 connected, 10 asked, 6 accepted, 4 full");
          assertNothingVisible(e.index());
        });
    // With happy lowered to what the grid can give, the same upload succeeds on the six.
    EncodingParams six = EncodingParams.builder().k(3).happy(6).n(10).build();
    UploadResult r = client.upload(PlaintextSource.of(data), six, true).get();
    assertThat(r.happiness()).isEqualTo(6);
    assertThat(r.placement()).hasSize(10);
    assertReadsBack(client, r, data);
  }

  /**
   * With the first server of its ring gone the plan shifts along the ring: the copies the
   * others hold under other numbers are found by asking, so nothing is sent again, not even to
   * a full grid.
   */
  @Test
  void aSmallFileStoredBeforeIsFoundWhenTheFirstServerOfItsRingIsGoneEvenOnAFullGrid()
      throws Exception {
    grid = new TestGrid(dir, 10, 5_000);
    GridClient client = grid.client(FAST);
    byte[] data = random(4096, 21);
    UploadResult first = client.upload(PlaintextSource.of(data)).get();
    assertThat(first.happiness()).isEqualTo(10);
    StorageIndex si = first.index().orElseThrow();
    List<NodeId> ring = PermutedRing.order(si, client.servers().serverIds());
    grid.byId(ring.get(0)).kill();
    UploadResult again = client.upload(PlaintextSource.of(data)).get();
    assertThat(again.cap()).isEqualTo(first.cap());
    assertThat(again.sharesUploaded()).isZero();
    assertThat(again.sharesAlreadyHeld()).isEqualTo(9);
    assertThat(again.happiness()).isEqualTo(9);
    assertReadsBack(client, again, data);
  }

  /** The same shift on a grid with room: the held shares are found, none is stored twice. */
  @Test
  void aSmallFileStoredBeforeGetsNoSecondCopiesWhenItsRingShifts() throws Exception {
    grid = new TestGrid(dir, 10);
    GridClient client = grid.client(FAST);
    byte[] data = random(4096, 22);
    UploadResult first = client.upload(PlaintextSource.of(data)).get();
    StorageIndex si = first.index().orElseThrow();
    List<NodeId> ring = PermutedRing.order(si, client.servers().serverIds());
    grid.byId(ring.get(0)).kill();
    UploadResult again = client.upload(PlaintextSource.of(data)).get();
    assertThat(again.sharesUploaded()).as("only the lost share 0, again").isEqualTo(1);
    assertThat(again.sharesAlreadyHeld()).isEqualTo(9);
    List<Integer> stored = new java.util.ArrayList<>();
    for (NodeId id : ring.subList(1, ring.size())) {
      stored.addAll(grid.byId(id).shares(si));
    }
    assertThat(stored).as("each share once").hasSize(10).doesNotHaveDuplicates();
  }

  /**
   * A small file with every server of its ring up: the first n servers are allocated without
   * being asked which shares they hold, and ALLOCATE alone finds the copies of a second upload.
   */
  @Test
  void aSmallFileIsPlacedWithoutAskingAndFoundAgainByAllocating() throws Exception {
    grid = new TestGrid(dir, 12);
    GridClient client = grid.client(FAST);
    byte[] data = random(4096, 24);
    UploadResult first = client.upload(PlaintextSource.of(data)).get();
    assertThat(first.happiness()).isEqualTo(10);
    assertThat(first.sharesUploaded()).isEqualTo(10);
    UploadResult again = client.upload(PlaintextSource.of(data)).get();
    assertThat(again.sharesUploaded()).isZero();
    assertThat(again.sharesAlreadyHeld()).isEqualTo(10);
    for (TestServer s : grid.servers()) {
      assertThat(s.faults().listings()).as("listings on %s", s).isZero();
    }
    assertReadsBack(client, again, data);
  }

  /** A large share is still looked for on the first 2n servers first. */
  @Test
  void aLargeShareIsLookedForFirst() throws Exception {
    grid = new TestGrid(dir, 12);
    GridClient client = grid.client(FAST);
    byte[] data = random(3 * (int) UploadServers.SMALL_SHARE + 3, 25);
    client.upload(PlaintextSource.of(data)).get();
    int asked = 0;
    for (TestServer s : grid.servers()) {
      asked += s.faults().listings();
    }
    assertThat(asked).isEqualTo(12);
  }

  /**
   * Stored while the first server of its ring was down (so under shifted numbers), then met on
   * a full grid with every server up: allocating fails everywhere, so the servers are asked and
   * the copies found; nothing is sent.
   */
  @Test
  void aSmallFileStoredUnderAShiftedPlanIsFoundByAskingWhenAllocatingFails() throws Exception {
    grid = new TestGrid(dir, 10);
    ClientSecrets secrets = ClientSecrets.random(new SecureRandom());
    GridClient client = grid.client(NodeKey.generate(), secrets, FAST);
    byte[] data = random(4096, 26);
    StorageIndex si = client.upload(PlaintextSource.of(data)).get().index().orElseThrow();
    List<NodeId> ring = PermutedRing.order(si, client.servers().serverIds());
    for (TestServer s : grid.servers()) {
      for (int share : s.shares(si)) {
        java.nio.file.Files.delete(s.sharePath(si, share));
      }
    }
    TestServer firstOfRing = grid.byId(ring.get(0));
    firstOfRing.kill();
    UploadResult shifted = client.upload(PlaintextSource.of(data)).get();
    assertThat(shifted.sharesUploaded()).isEqualTo(10);
    firstOfRing.start();
    for (TestServer s : grid.servers()) {
      s.faults().full(true);
    }
    // a new client: this one's pool waits out a backoff before it tries the restarted server
    client = grid.client(NodeKey.generate(), secrets, FAST);
    UploadResult again = client.upload(PlaintextSource.of(data)).get();
    assertThat(again.sharesUploaded()).isZero();
    assertThat(again.sharesAlreadyHeld()).isEqualTo(10);
    assertThat(again.happiness()).isEqualTo(9);
    assertReadsBack(client, again, data);
  }

  /**
   * Another client (same convergence secret, its own lease secret) uploads a file already
   * stored while one ring server is down: the server that receives the lost share also holds
   * one found by asking, and both must carry the new client's lease, not only the allocated one.
   */
  @Test
  void aHeldShareOnAServerThatIsAlsoAllocatedGetsTheUploadersLease() throws Exception {
    grid = new TestGrid(dir, 10);
    ClientSecrets firstSecrets = ClientSecrets.random(new SecureRandom());
    GridClient first = grid.client(NodeKey.generate(), firstSecrets, FAST);
    byte[] data = random(4096, 23);
    StorageIndex si = first.upload(PlaintextSource.of(data)).get().index().orElseThrow();
    List<NodeId> ring = PermutedRing.order(si, first.servers().serverIds());
    grid.byId(ring.get(0)).kill();
    NodeKey key = NodeKey.generate();
    ClientSecrets secrets = sameConvergence(firstSecrets);
    UploadResult again = grid.client(key, secrets, FAST).upload(PlaintextSource.of(data)).get();
    assertThat(again.index()).contains(si);
    assertThat(again.sharesUploaded()).isEqualTo(1);
    assertEveryPlacedShareLeasedTo(grid, again, key, secrets);
  }

  /** Another client of the same files: {@code of}'s convergence secret, its own lease secret. */
  static ClientSecrets sameConvergence(ClientSecrets of) {
    byte[] lease = new byte[32];
    new SecureRandom().nextBytes(lease);
    return ClientSecrets.of(lease, of.convergenceSecret());
  }

  /** Every share {@code r} placed carries (among others) a lease of {@code key}'s client. */
  static void assertEveryPlacedShareLeasedTo(TestGrid grid, UploadResult r, NodeKey key,
      ClientSecrets secrets) {
    StorageIndex si = r.index().orElseThrow();
    for (var placed : r.placement().entrySet()) {
      for (NodeId server : placed.getValue()) {
        ShareRecord record = grid.byId(server).leases()
            .find(ShareKey.immutable(si, placed.getKey())).orElseThrow();
        assertThat(record.leases()).as("share %s on %s", placed.getKey(), server)
            .anySatisfy(lease -> assertLeaseOf(lease, key, secrets, si, server));
      }
    }
  }

  @Test
  void aServerKilledMidUploadIsReplacedByTheNextOnTheRing() throws Exception {
    grid = new TestGrid(dir, 11);
    GridClient client = grid.client(FAST.toBuilder().writeChunk(64 << 10).build());
    AtomicBoolean once = new AtomicBoolean();
    for (TestServer s : grid.servers()) {
      s.faults().atWrite(3, w -> {
        if (once.compareAndSet(false, true)) {
          // This and later writes wait for the kill, then fail: the share is never committed
          // (a kill landing during its close would leave happiness 9, no replacement).
          s.faults().failWrites(true);
          s.faults().hang(true);
          new Thread(s::kill).start();
        }
      });
    }
    byte[] data = random(3 << 20, 3);
    UploadResult r = client.upload(PlaintextSource.of(data)).get();
    assertThat(once).isTrue();
    TestServer dead = grid.servers().stream().filter(s -> !s.running()).findFirst().orElseThrow();
    assertThat(r.happiness()).isEqualTo(10);
    assertThat(r.placement()).hasSize(10);
    assertThat(r.placement().values()).allSatisfy(servers ->
        assertThat(servers).doesNotContain(dead.nodeId()));
    long shareLength = shareLength(r);
    assertThat(r.bytesSent()).as("the lost share was sent again").isGreaterThan(10 * shareLength);
    assertReadsBack(client, r, data);
  }

  @Test
  void aServerFailingWritesIsReplaced() throws Exception {
    grid = new TestGrid(dir, 11);
    GridClient client = grid.client(FAST);
    byte[] data = random(500_000, 4);
    StorageIndex si = indexOf(client, data);
    NodeId first = PermutedRing.order(si, client.servers().serverIds()).get(0);
    grid.byId(first).faults().failWrites(true);
    UploadResult r = client.upload(PlaintextSource.of(data)).get();
    assertThat(r.happiness()).isEqualTo(10);
    assertThat(r.placement().values()).allSatisfy(servers ->
        assertThat(servers).doesNotContain(first));
    assertThat(grid.byId(first).incomingFiles()).isZero();
    assertReadsBack(client, r, data);
  }

  @Test
  void aServerThatStopsAnsweringMidUploadIsReplacedAfterTheStallTimeout() throws Exception {
    grid = new TestGrid(dir, 11);
    GridClient client = grid.client(FAST.toBuilder().writeChunk(64 << 10)
        .uploadWindow(128 << 10).build());
    AtomicBoolean once = new AtomicBoolean();
    TestServer[] stuck = new TestServer[1];
    for (TestServer s : grid.servers()) {
      s.faults().atWrite(2, w -> {
        if (once.compareAndSet(false, true)) {
          stuck[0] = s;
          s.faults().hang(true);
        }
      });
    }
    byte[] data = random(2 << 20, 5);
    long start = System.nanoTime();
    UploadResult r = client.upload(PlaintextSource.of(data)).get();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    assertThat(stuck[0]).isNotNull();
    assertThat(r.happiness()).isEqualTo(10);
    assertThat(r.placement().values()).allSatisfy(servers ->
        assertThat(servers).doesNotContain(stuck[0].nodeId()));
    stuck[0].faults().hang(false);
    stuck[0].faults().release();
    assertReadsBack(client, r, data);
  }

  @Test
  void anAlreadyHeldShareOfAnotherFileIsNotTrustedAndIsUploadedElsewhere() throws Exception {
    grid = new TestGrid(dir, 11);
    ClientSecrets secrets = ClientSecrets.random(new SecureRandom());
    GridClient client = grid.client(NodeKey.generate(), secrets, FAST);
    byte[] data = random(400_000, 6);
    ImmutableEncoder.Prepared prepared = ImmutableEncoder
        .convergent(EncodingParams.DEFAULTS, secrets.convergenceSecret())
        .prepare(PlaintextSource.of(data));
    StorageIndex si = prepared.index();
    List<NodeId> ring = PermutedRing.order(si, client.servers().serverIds());
    // An attacker who learned the storage index plants, where share 0 will go, the share 0 of
    // another file of the same length: same size, a genuine-looking share, the wrong file.
    byte[] other = random(400_000, 7);
    ByteArrayShare[] otherShares = new ByteArrayShare[10];
    ImmutableEncoder.randomKey(EncodingParams.DEFAULTS, new SecureRandom())
        .encode(PlaintextSource.of(other), (i, len) -> otherShares[i] = new ByteArrayShare(len));
    TestServer victim = grid.byId(ring.get(0));
    plant(victim, si, 0, otherShares[0].bytes());
    assertThat(victim.shares(si)).containsExactly(0);

    UploadResult r = client.upload(PlaintextSource.of(data)).get();
    assertThat(r.sharesAlreadyHeld()).isZero();
    assertThat(r.placement().get(0)).doesNotContain(ring.get(0)).hasSize(1);
    assertThat(r.happiness()).isEqualTo(10);
    assertReadsBack(client, r, data);
    // A second upload still does not count the planted share, and re-sends nothing.
    UploadResult again = client.upload(PlaintextSource.of(data)).get();
    assertThat(again.sharesAlreadyHeld()).isEqualTo(10);
    assertThat(again.sharesUploaded()).isZero();
    assertThat(again.placement().get(0)).doesNotContain(ring.get(0));
  }

  @Test
  void aHeldShareCutShortAfterAGenuineFrontIsNotCountedAndIsSentAgain() throws Exception {
    grid = new TestGrid(dir, 11);
    GridClient client = grid.client(FAST);
    byte[] data = random(500_000, 9);
    UploadResult first = client.upload(PlaintextSource.of(data)).get();
    StorageIndex si = first.index().orElseThrow();
    NodeId holder = first.placement().get(0).get(0);
    java.nio.file.Path share = grid.byId(holder).sharePath(si, 0);
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(share.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    UploadResult again = client.upload(PlaintextSource.of(data)).get();
    assertThat(again.sharesAlreadyHeld()).isEqualTo(9);
    assertThat(again.sharesUploaded()).isEqualTo(1);
    assertThat(again.placement().get(0)).hasSize(1).doesNotContain(holder);
    assertReadsBack(client, again, data);
  }

  @Test
  void everyShareCarriesThisClientsLeaseUnderItsDerivedSecrets() throws Exception {
    grid = new TestGrid(dir, 10);
    NodeKey key = NodeKey.generate();
    ClientSecrets secrets = ClientSecrets.random(new SecureRandom());
    GridClient client = grid.client(key, secrets, FAST);
    UploadResult r = client.upload(PlaintextSource.of(random(200_000, 8))).get();
    StorageIndex si = r.index().orElseThrow();
    for (var placed : r.placement().entrySet()) {
      for (NodeId server : placed.getValue()) {
        TestServer s = grid.byId(server);
        ShareRecord record = s.leases().find(ShareKey.immutable(si, placed.getKey()))
            .orElseThrow();
        assertThat(record.leases()).singleElement().satisfies(lease ->
            assertLeaseOf(lease, key, secrets, si, server));
      }
    }
  }

  static void assertLeaseOf(Lease lease, NodeKey key, ClientSecrets secrets, StorageIndex si,
      NodeId server) {
    assertThat(lease.owner()).isEqualTo(LeaseOwner.of(key.nodeId().toBytes()));
    assertThat(lease.renewHash())
        .isEqualTo(LeaseSecrets.hash(secrets.renewSecret(si, server), "renew"));
    assertThat(lease.cancelHash())
        .isEqualTo(LeaseSecrets.hash(secrets.cancelSecret(si, server), "cancel"));
  }

  /** Allocates, writes and closes {@code bytes} as share {@code n} from another node. */
  static void plant(TestServer server, StorageIndex si, int n, byte[] bytes) throws Exception {
    try (StorageClient attacker = StorageClient.connect(TestGrid.CLIENT_OPTIONS,
        NodeKey.generate(), "127.0.0.1", server.port(), server.nodeId()).get()) {
      attacker.allocate(si, new byte[32], new byte[32], bytes.length, java.util.Set.of(n)).get();
      for (int at = 0; at < bytes.length; at += 1 << 20) {
        attacker.writeChunk(si, n, at, java.util.Arrays.copyOfRange(bytes, at,
            Math.min(bytes.length, at + (1 << 20)))).get();
      }
      attacker.closeShare(si, n).get();
    }
  }

  static StorageIndex indexOf(GridClient client, byte[] data) throws Exception {
    return ImmutableEncoder.convergent(client.config().params(),
        client.secrets().convergenceSecret()).prepare(PlaintextSource.of(data)).index();
  }

  static long shareLength(UploadResult r) {
    ImmutableReadCap cap = (ImmutableReadCap) r.cap();
    return org.cairnfs.caps.immutable.ShareLayout.of(EncodingParams.DEFAULTS, cap.size())
        .shareLength();
  }

  static void assertReadsBack(GridClient client, UploadResult r, byte[] data) throws Exception {
    try (ImmutableFile file = client.open((ImmutableReadCap) r.cap())) {
      assertThat(file.read(0, data.length).get()).isEqualTo(data);
    }
  }

  void assertNothingVisible(StorageIndex si) {
    for (TestServer s : grid.servers()) {
      if (!s.running()) {
        continue;
      }
      try {
        assertThat(s.shares(si)).as("shares on %s", s).isEmpty();
        assertThat(s.incomingFiles()).as("open uploads on %s", s).isZero();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}
