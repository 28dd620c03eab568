package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.ImmutableEncoder;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.caps.immutable.ShareLayout;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins for mutants PIT left alive in {@link ImmutableUpload} (docs/testing.md, "The grid client,
 * first and second measures"): connecting past the first 2n servers, the round limit, failed
 * closes, the wait for leases, share numbers a server claims beyond n, failed listings and
 * allocations, and shares a server finds only when asked to allocate them.
 */
class ImmutableUploadPinsTest {
  /** Small enough for a grid of a dozen servers to hold past 2n. */
  static final EncodingParams FOUR = EncodingParams.builder().k(2).happy(4).n(4).build();
  @TempDir Path dir;
  TestGrid grid;

  @AfterEach
  void stop() {
    if (grid != null) {
      grid.close();
    }
  }

  static UploadResult upload(GridClient client, byte[] data, EncodingParams params)
      throws Exception {
    return client.upload(PlaintextSource.of(data), params, true).get(60, TimeUnit.SECONDS);
  }

  /** The ring this client's upload of {@code data} under {@code params} walks. */
  static List<NodeId> ring(GridClient client, byte[] data, EncodingParams params)
      throws Exception {
    StorageIndex si = ImmutableEncoder.convergent(params, client.secrets().convergenceSecret())
        .prepare(PlaintextSource.of(data)).index();
    return PermutedRing.order(si, client.servers().serverIds());
  }

  /** Makes {@code servers} refuse every allocation as full, or stop refusing. */
  static void full(TestGrid grid, List<NodeId> servers, boolean on) {
    for (NodeId id : servers) {
      grid.byId(id).faults().full(on);
    }
  }

  /**
   * With the first 2n servers of the ring all full, the upload goes on to the next ones (n=4
   * keeps the grid small: twelve servers, the first eight full).
   */
  @Test
  void theFirstTwoNServersAllFullSendsTheUploadFurtherAlongTheRing() throws Exception {
    grid = new TestGrid(dir, 12);
    GridClient client = grid.client(UploadFaultsTest.FAST);
    byte[] data = UploadFaultsTest.random(300_000, 41);
    List<NodeId> ring = ring(client, data, FOUR);
    full(grid, ring.subList(0, 8), true);
    UploadResult r = upload(client, data, FOUR);
    assertThat(r.happiness()).isEqualTo(4);
    assertThat(r.placement().values()).allSatisfy(servers ->
        assertThat(ring.subList(8, 12)).containsAll(servers));
    UploadFaultsTest.assertReadsBack(client, r, data);
  }

  /**
   * Only two servers of the first 2n have room (n=4): they take two shares each, then the two
   * shares not credited are sent again to servers further along the ring, in the same round as
   * their first copies (one encoding feeding two servers). Both copies must be whole: the two
   * files of each such share are the same bytes.
   */
  @Test
  void aShareSentToTwoServersInOneRoundIsWholeOnBoth() throws Exception {
    grid = new TestGrid(dir, 12);
    GridClient client = grid.client(UploadFaultsTest.FAST);
    byte[] data = UploadFaultsTest.random(300_000, 47);
    List<NodeId> ring = ring(client, data, FOUR);
    full(grid, ring.subList(0, 6), true);
    UploadResult r = upload(client, data, FOUR);
    assertThat(r.happiness()).isEqualTo(4);
    assertThat(r.placement().values()).filteredOn(servers -> servers.size() == 2).hasSize(2);
    long shareLength = ShareLayout.of(FOUR, ((ImmutableReadCap) r.cap()).size()).shareLength();
    assertThat(r.bytesSent()).as("6 copies, each sent once").isEqualTo(6 * shareLength);
    StorageIndex si = r.index().orElseThrow();
    r.placement().forEach((share, servers) -> {
      if (servers.size() == 2) {
        try {
          byte[] one = Files.readAllBytes(grid.byId(servers.get(0)).sharePath(si, share));
          byte[] two = Files.readAllBytes(grid.byId(servers.get(1)).sharePath(si, share));
          assertThat(two).as("the copies of share %s", share).isEqualTo(one);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    });
    UploadFaultsTest.assertReadsBack(client, r, data);
  }

  /** Once every share is credited, no server past the first 2n is even asked. */
  @Test
  void serversPastTheFirstTwoNAreNotAskedWhenThoseSuffice() throws Exception {
    grid = new TestGrid(dir, 10);
    GridClient client = grid.client(UploadFaultsTest.FAST);
    byte[] data = UploadFaultsTest.random(300_000, 42);
    List<NodeId> ring = ring(client, data, FOUR);
    UploadResult r = upload(client, data, FOUR);
    assertThat(r.happiness()).isEqualTo(4);
    for (NodeId id : ring.subList(0, 8)) {
      assertThat(grid.byId(id).faults().listings()).as("listings on %s", id).isEqualTo(1);
    }
    for (NodeId id : ring.subList(8, 10)) {
      assertThat(grid.byId(id).faults().listings()).as("listings on %s", id).isZero();
    }
  }

  /**
   * Every server failing its writes: the upload re-places its shares twice (three encodings,
   * {@link ImmutableUpload#MAX_ROUNDS}), each round on fresh servers, then gives up; the next
   * servers of the ring are never touched. k=1, n=2 keeps the rounds two servers wide.
   */
  @Test
  void sharesFailingInEveryRoundStopAfterMaxRoundsEncodings() throws Exception {
    assertThat(ImmutableUpload.MAX_ROUNDS).isEqualTo(3);
    grid = new TestGrid(dir, 8);
    for (TestServer s : grid.servers()) {
      s.faults().failWrites(true);
    }
    GridClient client = grid.client(UploadFaultsTest.FAST);
    EncodingParams two = EncodingParams.builder().k(1).happy(2).n(2).build();
    byte[] data = UploadFaultsTest.random(300_000, 43);
    List<NodeId> ring = ring(client, data, two);
    assertThatThrownBy(() -> upload(client, data, two))
        .isInstanceOf(ExecutionException.class).cause()
        .isInstanceOf(HappinessException.class);
    for (NodeId id : ring.subList(0, 6)) {
      assertThat(grid.byId(id).faults().writes()).as("writes on %s", id).isPositive();
    }
    for (NodeId id : ring.subList(6, 8)) {
      assertThat(grid.byId(id).faults().listings()).as("listings on %s", id).isZero();
      assertThat(grid.byId(id).faults().writes()).as("writes on %s", id).isZero();
    }
  }

  /** Closes failing on four of ten servers leave six: the upload fails, naming the four. */
  @Test
  void closesFailingBelowHappinessFailTheUploadAndNameTheFailures() throws Exception {
    grid = new TestGrid(dir, 10);
    GridClient client = grid.client(UploadFaultsTest.FAST);
    for (int i = 0; i < 4; i++) {
      grid.server(i).faults().failCloses(true);
    }
    byte[] data = UploadFaultsTest.random(300_000, 44);
    assertThatThrownBy(() -> upload(client, data, EncodingParams.DEFAULTS))
        .isInstanceOf(ExecutionException.class).cause()
        .isInstanceOfSatisfying(HappinessException.class, e -> {
          assertThat(e.happiness()).isEqualTo(6);
          assertThat(e.accepted()).as("a share whose close failed is not accepted").isEqualTo(6);
          assertThat(e.problems()).hasSize(4)
              .allSatisfy((server, why) -> assertThat(why).contains("closing share"));
        });
  }

  /**
   * A second client uploading a file already stored adds its lease to every held share, and
   * the upload is done only once those leases are: a caller may rely on them on return.
   */
  @Test
  void anUploadOfHeldSharesReturnsOnlyAfterItsLeasesAreAdded() throws Exception {
    grid = new TestGrid(dir, 10);
    ClientSecrets firstSecrets = ClientSecrets.random(new SecureRandom());
    GridClient first = grid.client(NodeKey.generate(), firstSecrets, UploadFaultsTest.FAST);
    byte[] data = UploadFaultsTest.random(300_000, 45);
    StorageIndex si = upload(first, data, EncodingParams.DEFAULTS).index().orElseThrow();
    for (TestServer s : grid.servers()) {
      s.faults().delayLeases(1000);
    }
    NodeKey key = NodeKey.generate();
    ClientSecrets secrets = UploadFaultsTest.sameConvergence(firstSecrets);
    UploadResult again = upload(grid.client(key, secrets, UploadFaultsTest.FAST), data,
        EncodingParams.DEFAULTS);
    assertThat(again.index()).contains(si);
    assertThat(again.sharesAlreadyHeld()).isEqualTo(10);
    UploadFaultsTest.assertEveryPlacedShareLeasedTo(grid, again, key, secrets);
  }

  /**
   * A held share whose lease cannot be added (deleted since it was found: the demo's collector
   * deletes shares linked from nowhere) does not count: the upload fails rather than return a
   * cap whose shares nobody keeps.
   */
  @Test
  void aHeldShareWhoseLeaseFailsDoesNotCount() throws Exception {
    grid = new TestGrid(dir, 4);
    ClientSecrets firstSecrets = ClientSecrets.random(new SecureRandom());
    GridClient first = grid.client(NodeKey.generate(), firstSecrets, UploadFaultsTest.FAST);
    byte[] data = UploadFaultsTest.random(300_000, 47);
    upload(first, data, FOUR);
    grid.servers().get(0).faults().failLeases(true);
    GridClient second = grid.client(NodeKey.generate(),
        UploadFaultsTest.sameConvergence(firstSecrets), UploadFaultsTest.FAST);
    assertThatThrownBy(() -> upload(second, data, FOUR))
        .hasRootCauseInstanceOf(HappinessException.class)
        .rootCause().hasMessageContaining("adding a lease on a share it held failed");
  }

  /**
   * A lease that succeeds proves only that some share of the index is held: one written since
   * may have taken it while the shares found were deleted. Held shares are asked for again once
   * leased, and those gone do not count.
   */
  @Test
  void aHeldShareGoneWhenItsLeaseWasAddedDoesNotCount() throws Exception {
    grid = new TestGrid(dir, 4);
    ClientSecrets firstSecrets = ClientSecrets.random(new SecureRandom());
    GridClient first = grid.client(NodeKey.generate(), firstSecrets, UploadFaultsTest.FAST);
    byte[] data = UploadFaultsTest.random(300_000, 48);
    upload(first, data, FOUR);
    grid.servers().get(0).faults().hideSharesAfterLease(true);
    GridClient second = grid.client(NodeKey.generate(),
        UploadFaultsTest.sameConvergence(firstSecrets), UploadFaultsTest.FAST);
    assertThatThrownBy(() -> upload(second, data, FOUR))
        .hasRootCauseInstanceOf(HappinessException.class);
  }

  /** A server claiming a share number n or above (there is no such share) is not read. */
  @Test
  void aClaimedShareNumberOfNOrAboveIsNeverRead() throws Exception {
    grid = new TestGrid(dir, 10);
    GridClient client = grid.client(UploadFaultsTest.FAST);
    byte[] data = UploadFaultsTest.random(300_000, 46);
    List<NodeId> ring = ring(client, data, EncodingParams.DEFAULTS);
    StorageIndex si = UploadFaultsTest.indexOf(client, data);
    TestServer claimer = grid.byId(ring.get(0));
    UploadFaultsTest.plant(claimer, si, 10, new byte[1000]);
    assertThat(claimer.shares(si)).containsExactly(10);
    UploadResult r = upload(client, data, EncodingParams.DEFAULTS);
    assertThat(r.happiness()).isEqualTo(10);
    assertThat(r.sharesUploaded()).isEqualTo(10);
    assertThat(claimer.faults().reads()).isZero();
  }

  /** A source that counts its streams: one for the convergent hash, then one per encoding. */
  static final class CountingSource implements PlaintextSource {
    final PlaintextSource data;
    final AtomicInteger opens = new AtomicInteger();

    CountingSource(byte[] bytes) {
      data = PlaintextSource.of(bytes);
    }

    @Override
    public long size() throws IOException {
      return data.size();
    }

    @Override
    public InputStream open() throws IOException {
      opens.incrementAndGet();
      return data.open();
    }
  }

  /**
   * Every server failing its writes on a ring of four (k=1, n=2): the second round uses the
   * last two servers, nothing is left to place the shares on, so the upload gives up after two
   * encodings instead of encoding a third time for no share.
   */
  @Test
  void aRingUsedUpBeforeMaxRoundsIsNotEncodedAgain() throws Exception {
    grid = new TestGrid(dir, 4);
    for (TestServer s : grid.servers()) {
      s.faults().failWrites(true);
    }
    GridClient client = grid.client(UploadFaultsTest.FAST);
    EncodingParams two = EncodingParams.builder().k(1).happy(2).n(2).build();
    CountingSource source = new CountingSource(UploadFaultsTest.random(300_000, 48));
    assertThatThrownBy(() -> client.upload(source, two, true).get(60, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).cause()
        .isInstanceOf(HappinessException.class);
    for (TestServer s : grid.servers()) {
      assertThat(s.faults().writes()).as("writes on %s", s).isPositive();
    }
    assertThat(source.opens).as("the hash and two encodings").hasValue(3);
  }

  /**
   * A server that cannot list its shares might hold one already: it gets no share, and the
   * upload goes to the others.
   */
  @Test
  void aServerWhoseListingFailsGetsNoShare() throws Exception {
    grid = new TestGrid(dir, 11);
    GridClient client = grid.client(UploadFaultsTest.FAST);
    byte[] data = UploadFaultsTest.random(300_000, 49);
    NodeId first = ring(client, data, EncodingParams.DEFAULTS).get(0);
    grid.byId(first).faults().failListings(true);
    UploadResult r = upload(client, data, EncodingParams.DEFAULTS);
    assertThat(r.happiness()).isEqualTo(10);
    assertThat(r.placement().values()).allSatisfy(servers ->
        assertThat(servers).doesNotContain(first));
    assertThat(grid.byId(first).shares(r.index().orElseThrow())).isEmpty();
    assertThat(grid.byId(first).incomingFiles()).isZero();
    UploadFaultsTest.assertReadsBack(client, r, data);
  }

  /**
   * Shares the listing missed but the allocate answer says are held (closed there in between)
   * count as held, after the usual check: nothing is sent again and nothing stored twice.
   */
  @Test
  void sharesFoundOnlyByAllocateCountAsHeld() throws Exception {
    grid = new TestGrid(dir, 10);
    GridClient client = grid.client(UploadFaultsTest.FAST);
    byte[] data = UploadFaultsTest.random(300_000, 50);
    UploadResult first = upload(client, data, EncodingParams.DEFAULTS);
    StorageIndex si = first.index().orElseThrow();
    for (TestServer s : grid.servers()) {
      s.faults().hideShares(true);
    }
    UploadResult again = upload(client, data, EncodingParams.DEFAULTS);
    assertThat(again.sharesAlreadyHeld()).isEqualTo(10);
    assertThat(again.sharesUploaded()).isZero();
    assertThat(again.bytesSent()).isZero();
    assertThat(again.placement()).isEqualTo(first.placement());
    for (TestServer s : grid.servers()) {
      assertThat(s.shares(si)).as("shares on %s", s).hasSize(1);
      assertThat(s.faults().reads()).as("the held share checked on %s", s).isPositive();
    }
  }

  /**
   * Allocations failing (an I/O error, not a full disk) on four of ten servers: those get no
   * further share, the upload fails before encoding and names them.
   */
  @Test
  void allocatesFailingBelowHappinessFailTheUploadAndNameTheFailures() throws Exception {
    grid = new TestGrid(dir, 10);
    GridClient client = grid.client(UploadFaultsTest.FAST);
    byte[] data = UploadFaultsTest.random(300_000, 51);
    List<NodeId> ring = ring(client, data, EncodingParams.DEFAULTS);
    for (NodeId id : ring.subList(0, 4)) {
      grid.byId(id).faults().failAllocates(true);
    }
    assertThatThrownBy(() -> upload(client, data, EncodingParams.DEFAULTS))
        .isInstanceOf(ExecutionException.class).cause()
        .isInstanceOfSatisfying(HappinessException.class, e -> {
          assertThat(e.happiness()).isEqualTo(6);
          assertThat(e.asked()).isEqualTo(10);
          assertThat(e.full()).isZero();
          assertThat(e.problems()).hasSize(4)
              .allSatisfy((server, why) -> assertThat(why).contains("allocate failed"));
        });
    for (TestServer s : grid.servers()) {
      assertThat(s.faults().writes()).as("writes on %s", s).isZero();
    }
  }
}
