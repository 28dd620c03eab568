package org.cairnfs.fs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.PermutedRing;
import org.cairnfs.fs.grid.UploadResult;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repair of an immutable file where it does not go smoothly: servers that refuse new
 * shares (one after another, or some of several), a share someone else is uploading to the
 * server the plan picks, a server whose writes fail, and good shares that turn bad (or cannot
 * be read) between the verify and the rebuild. Ten real servers, one share each, a 30 kB file
 * (k=3, n=10, happy 7).
 */
class ImmutableRepairTest {
  @TempDir Path dir;
  TestGrid grid;
  GridClient client;
  GridHealth health;
  ImmutableReadCap cap;
  StorageIndex si;
  Map<Integer, List<NodeId>> placement;
  List<NodeId> ring;

  @BeforeEach
  void upload() throws Exception {
    grid = new TestGrid(dir, 10);
    client = grid.client(ImmutableHealthTest.FAST);
    health = GridHealth.create(client);
    byte[] data = new byte[30_000];
    new Random(11).nextBytes(data);
    UploadResult r = client.upload(PlaintextSource.of(data)).get();
    cap = (ImmutableReadCap) r.cap();
    si = cap.index();
    placement = r.placement();
    ring = PermutedRing.order(si, client.servers().serverIds());
    assertThat(placement.values()).allSatisfy(holders -> assertThat(holders).hasSize(1))
        .flatExtracting(holders -> holders).doesNotHaveDuplicates().hasSize(10);
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  TestServer holder(int share) {
    return grid.byId(placement.get(share).get(0));
  }

  /** The share the upload placed on {@code id} (one each: ten servers, ten shares). */
  int shareOn(NodeId id) {
    return placement.entrySet().stream().filter(e -> e.getValue().contains(id)).findFirst()
        .orElseThrow().getKey();
  }

  String name(NodeId id) {
    return client.servers().describe(id);
  }

  List<ShareReport> repairedCopies(HealthReport r) {
    return r.shares().stream().filter(ShareReport::repaired).toList();
  }

  /**
   * Three rounds of allocation, no more: the server that lost share s, then the first two of
   * the ring after it, each fail to allocate; the fourth candidate, which would take it, is
   * never asked, and the report says that nothing could be placed.
   */
  @Test
  void threeRefusingServersInARowEndTheRepairWithNothingPlaced() throws Exception {
    NodeId lost = ring.get(4);
    int s = shareOn(lost);
    Files.delete(holder(s).sharePath(si, s));
    List<NodeId> others = ring.stream().filter(id -> !id.equals(lost)).toList();
    // the plan picks the empty server first, then ties go to ring order
    for (NodeId id : List.of(lost, others.get(0), others.get(1))) {
      grid.byId(id).faults().failAllocates(true);
    }
    HealthReport r = health.repair(cap.toString()).get();
    assertThat(r.healthy()).isFalse();
    assertThat(r.repaired()).isFalse();
    assertThat(r.missingShares()).containsExactly(s);
    assertThat(r.notes()).filteredOn(n -> n.contains("refused new shares")).hasSize(3);
    assertThat(r.notes()).contains(
        "repair placed nothing: no server that answered could take a new share");
    assertThat(grid.byId(others.get(2)).shares(si)).containsExactly(shareOn(others.get(2)));
    for (TestServer server : grid.servers()) {
      assertThat(server.incomingFiles()).isZero();
    }
  }

  /**
   * Shares allocated in one round count as placed in the next: when one of three planned
   * servers refuses, only its share is planned again, and every lost share gets one new copy.
   */
  @Test
  void aRefusalReplansOnlyTheRefusedShare() throws Exception {
    List<NodeId> emptied = ring.subList(0, 3);
    Set<Integer> lost = new TreeSet<>();
    for (NodeId id : emptied) {
      int s = shareOn(id);
      lost.add(s);
      Files.delete(grid.byId(id).sharePath(si, s));
    }
    // the lost numbers go to the three empty servers, in ring order; the first refuses
    grid.byId(emptied.get(0)).faults().failAllocates(true);
    HealthReport r = health.repair(cap.toString()).get();
    assertThat(r.healthy()).isTrue();
    assertThat(r.notes()).singleElement().satisfies(n -> assertThat(n)
        .startsWith("server " + name(emptied.get(0)) + " refused new shares"));
    assertThat(repairedCopies(r)).extracting(ShareReport::number)
        .containsExactlyInAnyOrderElementsOf(lost);
    assertThat(repairedCopies(r)).extracting(ShareReport::server)
        .doesNotContain(name(emptied.get(0)));
    int held = 0;
    for (TestServer server : grid.servers()) {
      held += server.shares(si).size();
    }
    assertThat(held).isEqualTo(10);
  }

  /**
   * A server the check saw without share s, where someone else is uploading s when the repair
   * allocates: it does not take s, so s is planned again on another server (and not asked of
   * the busy one again).
   */
  @Test
  void aShareBeingUploadedByAnotherClientIsPlacedElsewhere() throws Exception {
    NodeId lost = ring.get(2);
    int s = shareOn(lost);
    Files.delete(grid.byId(lost).sharePath(si, s));
    GridClient other = grid.client(ImmutableHealthTest.FAST);
    StorageClient otherOnLost = other.servers().connect(lost).get();
    long size = Files.size(holder((s + 1) % 10).sharePath(si, (s + 1) % 10));
    assertThat(otherOnLost.allocate(si, other.secrets().renewSecret(si, lost),
        other.secrets().cancelSecret(si, lost), size, Set.of(s)).get().allocated())
        .containsExactly(s);

    HealthReport r = health.repair(cap.toString()).get();
    assertThat(r.healthy()).isTrue();
    assertThat(r.notes()).isEmpty();
    assertThat(repairedCopies(r)).filteredOn(c -> c.number() == s).singleElement()
        .satisfies(c -> assertThat(c.server()).isNotEqualTo(name(lost)));
    // the busy server, empty, still takes another number: that raises happiness to ten
    assertThat(grid.byId(lost).shares(si)).singleElement().isNotEqualTo(s);
    assertThat(r.happiness()).isEqualTo(10);
    otherOnLost.abortShare(si, s).get();
  }

  /**
   * A server that accepts the allocation but fails every write: its new copy is aborted (never
   * closed half-written), named in the notes as failed, and not reported as placed.
   */
  @Test
  void aNewCopyWhoseWritesFailIsAbortedAndNamed() throws Exception {
    NodeId lost = ring.get(5);
    int s = shareOn(lost);
    Files.delete(grid.byId(lost).sharePath(si, s));
    grid.byId(lost).faults().failWrites(true);
    HealthReport r = health.repair(cap.toString()).get();
    assertThat(r.healthy()).isFalse();
    assertThat(r.repaired()).isFalse();
    assertThat(r.missingShares()).containsExactly(s);
    assertThat(r.notes()).singleElement().satisfies(n -> assertThat(n)
        .startsWith("new copy of share " + s + " on " + name(lost) + " failed: "));
    assertThat(grid.byId(lost).shares(si)).isEmpty();
  }

  /** Verify now, the repair's own reading later: what happens in between is the test's. */
  ImmutableHealth.Findings verified() {
    return new ImmutableHealth(client).examine(cap.verifier(), true, false);
  }

  /** Waits until every server has run what this client sent it for the file before now. */
  void drain(ImmutableHealth.Findings f) throws Exception {
    for (StorageClient c : f.survey().clients.values()) {
      c.listShares(si).get(); // one index's requests run in arrival order
    }
  }

  /**
   * Exactly k good shares at the verify, one of which has a bad block when the repair reads it:
   * nothing can be rebuilt, the new copies already allocated are aborted, and the notes say so.
   */
  @Test
  void aRebuildThatFailsAbortsEveryNewCopy() throws Exception {
    for (int share = 3; share < 10; share++) {
      Files.delete(holder(share).sharePath(si, share));
    }
    ImmutableHealth.Findings f = verified();
    assertThat(f.goodNumbers()).containsExactly(0, 1, 2);
    Path bad = holder(1).sharePath(si, 1);
    Damage.flip(bad, Damage.size(bad) - 10);
    List<String> notes = new ArrayList<>();
    ImmutableVerifyCap v = cap.verifier();
    assertThat(new ImmutableRepair(client, v, f, notes).run()).isEmpty();
    assertThat(notes).singleElement().satisfies(n -> assertThat(n)
        .startsWith("repair failed while rebuilding shares: "));
    drain(f);
    for (TestServer server : grid.servers()) {
      assertThat(server.incomingFiles()).as("%s", server).isZero();
      assertThat(server.shares(si)).isSubsetOf(0, 1, 2);
    }
  }

  /** Good shares that cannot be read again when the repair opens them: nothing allocated. */
  @Test
  void goodSharesThatCannotBeOpenedAgainStopTheRepairBeforeAnyAllocation() throws Exception {
    Files.delete(holder(7).sharePath(si, 7));
    ImmutableHealth.Findings f = verified();
    for (TestServer server : grid.servers()) {
      server.faults().failReads(true);
    }
    List<String> notes = new ArrayList<>();
    assertThat(new ImmutableRepair(client, cap.verifier(), f, notes).run()).isEmpty();
    assertThat(notes).singleElement().satisfies(n -> assertThat(n)
        .startsWith("repair failed: the good shares could not be opened again: "));
    for (TestServer server : grid.servers()) {
      assertThat(server.incomingFiles()).isZero();
    }
  }

  /**
   * One of four good shares has a bad block when the repair reads it: the rebuild goes on from
   * the other three, the notes name the bad one, and every lost share is placed.
   */
  @Test
  void aSourceThatTurnsBadIsNamedAndTheRebuildGoesOn() throws Exception {
    for (int share = 4; share < 10; share++) {
      Files.delete(holder(share).sharePath(si, share));
    }
    ImmutableHealth.Findings f = verified();
    Path bad = holder(0).sharePath(si, 0);
    Damage.flip(bad, Damage.size(bad) - 10);
    List<String> notes = new ArrayList<>();
    List<ImmutableHealth.Copy> placed =
        new ImmutableRepair(client, cap.verifier(), f, notes).run();
    assertThat(placed).extracting(ImmutableHealth.Copy::share)
        .containsExactlyInAnyOrder(4, 5, 6, 7, 8, 9);
    assertThat(notes).singleElement().satisfies(n -> assertThat(n)
        .startsWith("share 0 failed while being read for repair: "));
    HealthReport after = health.check(cap.toString(), true).get();
    assertThat(after.corruptShares()).containsExactly(0);
    assertThat(after.goodShares()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
  }
}
