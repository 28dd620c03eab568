package org.cairnfs.fs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.grid.ClientSecrets;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.grid.ImmutableFile;
import org.cairnfs.fs.grid.UploadResult;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.ShareRecord;
import org.cairnfs.storage.share.ShareKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Check, verify and repair of an immutable file over ten real storage servers. */
class ImmutableHealthTest {
  static final int SIZE = 5 * 128 * 1024 + 12_345;
  static final GridConfig FAST = GridConfig.builder().stallTimeout(Duration.ofSeconds(3))
      .readTimeout(Duration.ofSeconds(2)).readAhead(128 << 10).build();
  @TempDir Path dir;
  TestGrid grid;
  NodeKey key = NodeKey.generate();
  ClientSecrets secrets = ClientSecrets.random(new java.security.SecureRandom());
  GridClient client;
  GridHealth health;
  byte[] data;
  ImmutableReadCap cap;
  StorageIndex si;
  Map<Integer, List<NodeId>> placement;

  @BeforeEach
  void upload() throws Exception {
    grid = new TestGrid(dir, 10);
    client = grid.client(key, secrets, FAST);
    health = GridHealth.create(client);
    data = new byte[SIZE];
    new Random(5).nextBytes(data);
    UploadResult r = client.upload(PlaintextSource.of(data)).get();
    cap = (ImmutableReadCap) r.cap();
    si = cap.index();
    placement = r.placement();
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  TestServer holder(int share) {
    return grid.byId(placement.get(share).get(0));
  }

  Path shareFile(int share) {
    return holder(share).sharePath(si, share);
  }

  @Test
  void aFreshFileIsHealthyAndTheReportNamesOnlyTheVerifyCap() throws Exception {
    for (boolean verify : List.of(false, true)) {
      HealthReport r = health.check(cap.toString(), verify).get();
      assertThat(r.healthy()).as("verify=%s", verify).isTrue();
      assertThat(r.cap()).isEqualTo(cap.verifier().toString());
      assertThat(r.kind()).isEqualTo("immutable");
      assertThat(r.found()).isEqualTo(10);
      assertThat(r.happiness()).isEqualTo(10);
      assertThat(r.goodShares()).hasSize(10);
      assertThat(r.corruptShares()).isEmpty();
      assertThat(r.missingShares()).isEmpty();
      assertThat(r.format()).contains("healthy", "share 9 on").doesNotContain("corrupt",
          "missing", cap.toString());
    }
    HealthReport byVerifyCap = health.check(cap.verifier().toString(), true).get();
    assertThat(byVerifyCap.healthy()).isTrue();
    HealthReport literal = health.check(
        new org.cairnfs.caps.LiteralCap("tiny".getBytes()).toString(), true).get();
    assertThat(literal.healthy()).isTrue();
    assertThat(literal.kind()).isEqualTo("literal");
    assertThat(literal.format()).contains("healthy", "nothing is stored");
  }

  @Test
  void checkSeesFrontsAndMissingSharesVerifySeesBadBlocksRepairHealsAll() throws Exception {
    Damage.flip(shareFile(0), Damage.size(shareFile(0)) - 10); // a block near the end
    Damage.flip(shareFile(1), 70); // inside the extension block
    Files.delete(shareFile(3));

    HealthReport checked = health.check(cap.toString(), false).get();
    assertThat(checked.healthy()).isFalse();
    assertThat(checked.recoverable()).isTrue();
    assertThat(checked.corruptShares()).containsExactly(1);
    assertThat(checked.missingShares()).containsExactly(3);
    assertThat(checked.goodShares()).doesNotContain(1, 3).contains(0); // check reads no blocks

    HealthReport verified = health.check(cap.toString(), true).get();
    assertThat(verified.healthy()).isFalse();
    assertThat(verified.corruptShares()).containsExactly(0, 1);
    assertThat(verified.missingShares()).containsExactly(3);
    assertThat(verified.found()).isEqualTo(7);
    assertThat(verified.format()).contains("not healthy", "corrupt", "missing",
        "share 3 on no server: missing");
    ShareReport bad0 = verified.shares().stream().filter(s -> s.number() == 0).findFirst()
        .orElseThrow();
    assertThat(bad0.server()).isEqualTo(client.servers().describe(holder(0).nodeId()));
    assertThat(bad0.reason()).contains("block");

    HealthReport repaired = health.repair(cap.verifier().toString()).get();
    assertThat(repaired.repaired()).isTrue();
    assertThat(repaired.healthy()).isTrue();
    assertThat(repaired.shares().stream().filter(ShareReport::repaired)
        .map(ShareReport::number)).containsExactlyInAnyOrder(0, 1, 3);

    HealthReport after = health.check(cap.toString(), true).get();
    assertThat(after.healthy()).isTrue();
    assertThat(after.goodShares()).hasSize(10);
    assertThat(after.happiness()).isEqualTo(10);
    assertThat(after.missingShares()).isEmpty();
    // Servers never overwrite a stored share: the two damaged copies stay, listed as such.
    assertThat(after.shares().stream().filter(s -> s.status() == ShareReport.Status.CORRUPT)
        .map(ShareReport::server)).containsExactlyInAnyOrder(
            client.servers().describe(holder(0).nodeId()),
            client.servers().describe(holder(1).nodeId()));
    try (ImmutableFile f = client.open(cap)) {
      assertThat(f.read(0, SIZE).get()).isEqualTo(data);
    }
  }

  @Test
  void aStoppedServersShareIsMissingAndRepairPlacesItElsewhere() throws Exception {
    TestServer stopped = holder(5);
    stopped.kill();
    HealthReport checked = health.check(cap.toString(), false).get();
    assertThat(checked.missingShares()).containsExactly(5);
    assertThat(checked.corruptShares()).isEmpty();
    assertThat(checked.found()).isEqualTo(9);
    assertThat(checked.notes()).anySatisfy(n -> assertThat(n)
        .contains(stopped.nodeId().shortForm()).containsAnyOf("not reachable", "did not answer"));

    HealthReport repaired = health.repair(cap.toString()).get();
    assertThat(repaired.healthy()).isTrue();
    assertThat(repaired.shares()).filteredOn(ShareReport::repaired).singleElement()
        .satisfies(s -> assertThat(s.number()).isEqualTo(5));

    HealthReport after = health.check(cap.toString(), true).get();
    assertThat(after.healthy()).isTrue();
    assertThat(after.goodShares()).hasSize(10);
    assertThat(after.happiness()).isEqualTo(9);
  }

  @Test
  void tooFewGoodSharesIsUnrecoverableAndRepairSaysWhy() throws Exception {
    for (int share = 0; share < 8; share++) {
      Files.delete(shareFile(share));
    }
    HealthReport r = health.repair(cap.toString()).get();
    assertThat(r.healthy()).isFalse();
    assertThat(r.recoverable()).isFalse();
    assertThat(r.repaired()).isFalse();
    assertThat(r.missingShares()).hasSize(8);
    assertThat(r.notes()).anySatisfy(n -> assertThat(n).contains("cannot repair", "2 good"));
    assertThat(r.format()).contains("NOT recoverable");
  }

  @Test
  void addLeaseRenewsThisClientsLeaseOnEveryShare() throws Exception {
    TestServer s = holder(2);
    ShareKey shareKey = ShareKey.immutable(si, 2);
    ShareRecord before = s.leases().find(shareKey).orElseThrow();
    Thread.sleep(20);
    HealthReport r = health.check(cap.toString(), false, true).get();
    assertThat(r.leasesRenewed()).isEqualTo(10);
    ShareRecord after = s.leases().find(shareKey).orElseThrow();
    assertThat(after.leases()).singleElement().satisfies(lease -> {
      assertThat(lease.owner()).isEqualTo(LeaseOwner.of(key.nodeId().toBytes()));
      assertThat(lease.expiry()).isAfter(before.leases().get(0).expiry());
    });
    // Another client adds its own lease beside ours.
    GridClient other = grid.client(FAST);
    assertThat(GridHealth.create(other).check(cap.verifier().toString(), false, true).get()
        .leasesRenewed()).isEqualTo(10);
    assertThat(s.leases().find(shareKey).orElseThrow().leases()).hasSize(2);
    assertThat(Set.copyOf(s.leases().find(shareKey).orElseThrow().owners())).hasSize(2);
  }
}
