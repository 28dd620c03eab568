package org.cairnfs.introducer.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.introducer.announcement.NodeSigner;
import org.cairnfs.introducer.announcement.ServerDetails;
import org.cairnfs.introducer.announcement.TestKeys;
import org.cairnfs.introducer.client.KnownServers.Offer;
import org.cairnfs.protocol.identity.NodeId;
import org.junit.jupiter.api.Test;

class KnownServersTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final IntroducerUrl HONEST = introducer(1);
  private static final IntroducerUrl HOSTILE = introducer(2);

  static IntroducerUrl introducer(int port) {
    return new IntroducerUrl(NodeId.ofPublicKey(TestKeys.ed25519().publicKey()), new HostPort("intro", port));
  }

  static Announcement announce(NodeSigner key, long seq, long free) {
    return Announcement.sign(new ServerDetails("s", List.of(new HostPort("h", 1)), free, "v", seq,
        Instant.EPOCH), key);
  }

  @Test
  void highestSequenceWinsRegardlessOfOrder() {
    KnownServers k = new KnownServers(Map.of(), 10, 1 << 20);
    NodeSigner key = TestKeys.ed25519();
    assertThat(k.offer(announce(key, 5, 50), T0)).isEqualTo(Offer.ADDED);
    assertThat(k.offer(announce(key, 4, 40), T0)).isEqualTo(Offer.NOT_NEWER);
    assertThat(k.offer(announce(key, 5, 50), T0.plusSeconds(9))).isEqualTo(Offer.NOT_NEWER);
    assertThat(k.snapshot().get(0).lastSeen()).isEqualTo(T0);
    assertThat(k.offer(announce(key, 6, 60), T0.plusSeconds(10))).isEqualTo(Offer.UPDATED);
    assertThat(k.snapshot()).singleElement()
        .satisfies(s -> assertThat(s.freeSpace()).isEqualTo(60))
        .satisfies(s -> assertThat(s.lastSeen()).isEqualTo(T0.plusSeconds(10)));
  }

  @Test
  void ageingDropsOnlyStaleNonStaticEntries() {
    NodeSigner staticKey = TestKeys.ed25519();
    NodeId staticId = NodeId.ofPublicKey(staticKey.publicKey());
    KnownServers k = new KnownServers(Map.of(staticId,
        GridServer.unannounced(staticId, List.of(new HostPort("s", 2)), T0)), 10, 1 << 20);
    NodeSigner stale = TestKeys.ed25519();
    NodeSigner fresh = TestKeys.ed25519();
    k.offer(announce(stale, 1, 1), T0);
    k.offer(announce(fresh, 1, 1), T0.plus(Duration.ofHours(2)));
    assertThat(k.expire(T0.plus(Duration.ofMinutes(59)), Duration.ofHours(1))).isFalse();
    assertThat(k.expire(T0.plus(Duration.ofHours(2)), Duration.ofHours(1))).isTrue();
    assertThat(k.snapshot()).extracting(GridServer::nodeId)
        .containsExactlyInAnyOrder(staticId, NodeId.ofPublicKey(fresh.publicKey()));
  }

  @Test
  void staticServerTakesItsAnnouncementAndStaysStatic() {
    NodeSigner key = TestKeys.ed25519();
    NodeId id = NodeId.ofPublicKey(key.publicKey());
    KnownServers k = new KnownServers(Map.of(id, GridServer.unannounced(id, List.of(new HostPort("s", 2)), T0)), 10, 1 << 20);
    assertThat(k.snapshot().get(0).freeSpace()).isEqualTo(GridServer.UNKNOWN_FREE_SPACE);
    k.offer(announce(key, 1, 77), T0);
    GridServer s = k.snapshot().get(0);
    assertThat(s.freeSpace()).isEqualTo(77);
    assertThat(s.isStatic()).isTrue();
    assertThat(k.expire(T0.plus(Duration.ofDays(9)), Duration.ofHours(1))).isFalse();
  }

  @Test
  void countBoundRefusesNewNodesButNotUpdates() {
    KnownServers k = new KnownServers(Map.of(), 1, 1 << 20);
    NodeSigner first = TestKeys.ed25519();
    assertThat(k.offer(announce(first, 1, 1), T0)).isEqualTo(Offer.ADDED);
    assertThat(k.offer(announce(TestKeys.ed25519(), 1, 1), T0)).isEqualTo(Offer.FULL);
    assertThat(k.offer(announce(first, 2, 2), T0)).isEqualTo(Offer.UPDATED);
    assertThat(k.size()).isEqualTo(1);
  }

  @Test
  void floodOfMintedIdsStaysUnderTheByteBoundAndKeepsEarlierServers() {
    long cap = 8 * 1024;
    KnownServers k = new KnownServers(Map.of(), 10_000, cap);
    List<NodeSigner> real = List.of(TestKeys.ed25519(), TestKeys.ed25519(), TestKeys.ed25519());
    for (NodeSigner key : real) {
      assertThat(k.offer(announce(key, 1, 1), T0)).isEqualTo(Offer.ADDED);
    }
    int refused = 0;
    for (int i = 0; i < 200; i++) {
      Offer o = k.offer(big(TestKeys.ed25519(), 1), T0);
      if (o == Offer.FULL) {
        refused++;
      }
      assertThat(k.heldBytes()).isLessThanOrEqualTo(cap);
    }
    assertThat(refused).isGreaterThan(150);
    assertThat(k.heldBytes()).isEqualTo(k.snapshot().stream()
        .mapToLong(s -> s.announcement().orElseThrow().length()).sum());
    for (NodeSigner key : real) {
      assertThat(k.offer(announce(key, 2, 2), T0)).as("the real servers still update").isEqualTo(Offer.UPDATED);
    }
    assertThat(k.snapshot()).extracting(GridServer::nodeId)
        .contains(real.stream().map(r -> NodeId.ofPublicKey(r.publicKey())).toArray(NodeId[]::new));
  }

  @Test
  void refusesNewTellsWithoutTheAnnouncementWhetherANewNodeCouldGetIn() {
    Announcement held = announce(TestKeys.ed25519(), 1, 1);
    KnownServers k = new KnownServers(Map.of(), 10, held.length() + 100);
    NodeId other = NodeId.ofPublicKey(TestKeys.ed25519().publicKey());
    assertThat(k.refusesNew(other, held.length(), HONEST)).isFalse();
    k.offer(held, T0);
    assertThat(k.refusesNew(other, 100, HONEST)).isFalse();
    assertThat(k.refusesNew(other, 101, HONEST)).isTrue();
    assertThat(k.refusesNew(held.nodeId(), 10_000, HONEST)).as("a held node is never refused unread").isFalse();
  }

  @Test
  void anUpdateThatNoLongerFitsEvictsOnlyServersAdmittedAfterIt() {
    NodeSigner old = TestKeys.ed25519();
    Announcement small = announce(old, 1, 1);
    Announcement grown = big(old, 2);
    NodeSigner later = TestKeys.ed25519();
    Announcement filler = big(later, 1);
    long cap = small.length() + filler.length() + 10;
    KnownServers k = new KnownServers(Map.of(), 10, cap);
    k.offer(small, T0);
    k.offer(filler, T0);
    assertThat(k.offer(grown, T0)).isEqualTo(Offer.UPDATED);
    assertThat(k.snapshot()).extracting(GridServer::nodeId).containsExactly(grown.nodeId());
    assertThat(k.heldBytes()).isEqualTo(grown.length());
  }

  @Test
  void anUpdateIsRefusedWhenOnlyServersKnownLongerCouldMakeRoom() {
    NodeSigner old = TestKeys.ed25519();
    NodeSigner later = TestKeys.ed25519();
    Announcement first = big(old, 1);
    Announcement filler = big(later, 1);
    long cap = first.length() + filler.length() + 10;
    KnownServers k = new KnownServers(Map.of(), 10, cap);
    k.offer(first, T0);
    k.offer(filler, T0);
    assertThat(k.offer(big(later, 2, 8), T0)).isEqualTo(Offer.FULL);
    assertThat(k.snapshot()).extracting(GridServer::sequence).containsOnly(1L);
    assertThat(k.heldBytes()).isEqualTo(first.length() + filler.length());
  }

  @Test
  void staticServersAreAlwaysHeldAndNeverEvicted() {
    NodeSigner key = TestKeys.ed25519();
    NodeId id = NodeId.ofPublicKey(key.publicKey());
    KnownServers k = new KnownServers(Map.of(id, GridServer.unannounced(id, List.of(new HostPort("s", 2)), T0)),
        1, 100);
    assertThat(k.offer(big(key, 1), T0)).isEqualTo(Offer.UPDATED);
    assertThat(k.offer(announce(TestKeys.ed25519(), 1, 1), T0)).isEqualTo(Offer.FULL);
    assertThat(k.snapshot()).extracting(GridServer::nodeId).containsExactly(id);
  }

  @Test
  void pushedIsRememberedOnlyWhileHeld() {
    KnownServers k = new KnownServers(Map.of(), 1, 1 << 20);
    Announcement held = announce(TestKeys.ed25519(), 1, 1);
    Announcement refused = announce(TestKeys.ed25519(), 1, 1);
    k.offer(held, T0);
    k.offer(refused, T0);
    k.markPushed(held.nodeId(), HONEST);
    k.markPushed(refused.nodeId(), HONEST);
    assertThat(k.wasPushed(held.nodeId())).isTrue();
    assertThat(k.wasPushed(refused.nodeId())).isFalse();
    k.expire(T0.plus(Duration.ofDays(1)), Duration.ofHours(1));
    assertThat(k.wasPushed(held.nodeId())).isFalse();
    assertThat(k.heldBytes()).isZero();
  }

  @Test
  void admissionOrderIsKeptAcrossUpdates() {
    KnownServers k = new KnownServers(Map.of(), 10, 1 << 20);
    NodeSigner a = TestKeys.ed25519();
    NodeSigner b = TestKeys.ed25519();
    k.offer(announce(a, 1, 1), T0);
    k.offer(announce(b, 1, 1), T0);
    k.offer(announce(a, 2, 1), T0);
    assertThat(k.inAdmissionOrder()).extracting(GridServer::nodeId)
        .containsExactly(NodeId.ofPublicKey(a.publicKey()), NodeId.ofPublicKey(b.publicKey()));
  }

  @Test
  void anIntroducerReachedFirstCannotKeepTheOthersServersOut() {
    KnownServers k = new KnownServers(Map.of(), 10, 1 << 20, 2);
    List<Announcement> minted = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Announcement a = announce(TestKeys.ed25519(), 1, 1);
      if (k.offer(a, T0, HOSTILE) == Offer.ADDED) {
        minted.add(a);
      }
    }
    assertThat(minted).hasSize(10);
    assertThat(k.countedAgainst(HOSTILE)).isEqualTo(10);
    List<Announcement> honest = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Announcement a = announce(TestKeys.ed25519(), 1, 1);
      assertThat(k.refusesNew(a.nodeId(), a.length(), HONEST)).as("worth verifying").isFalse();
      assertThat(k.offer(a, T0, HONEST)).isEqualTo(Offer.ADDED);
      honest.add(a);
    }
    assertThat(k.size()).isEqualTo(10);
    assertThat(k.countedAgainst(HONEST)).isEqualTo(5);
    assertThat(k.snapshot()).extracting(GridServer::nodeId)
        .as("the hostile introducer's newest servers went, its oldest stayed")
        .contains(minted.subList(0, 5).stream().map(Announcement::nodeId).toArray(NodeId[]::new))
        .doesNotContain(minted.subList(5, 10).stream().map(Announcement::nodeId).toArray(NodeId[]::new));
    Announcement sixth = announce(TestKeys.ed25519(), 1, 1);
    assertThat(k.refusesNew(sixth.nodeId(), sixth.length(), HONEST)).isTrue();
    assertThat(k.offer(sixth, T0, HONEST)).as("past its own share").isEqualTo(Offer.FULL);
    Announcement more = announce(TestKeys.ed25519(), 1, 1);
    assertThat(k.offer(more, T0, HOSTILE)).as("and the other cannot take it back").isEqualTo(Offer.FULL);
    assertThat(k.countedAgainst(HONEST)).isEqualTo(5);
  }

  @Test
  void theByteBoundIsSharedToo() {
    Announcement probe = big(TestKeys.ed25519(), 1);
    long cap = 6L * probe.length() + 100;
    KnownServers k = new KnownServers(Map.of(), 10_000, cap, 2);
    int held = 0;
    for (int i = 0; i < 10; i++) {
      if (k.offer(big(TestKeys.ed25519(), 1), T0, HOSTILE) == Offer.ADDED) {
        held++;
      }
    }
    assertThat(held).isEqualTo(6);
    for (int i = 0; i < 3; i++) {
      assertThat(k.offer(big(TestKeys.ed25519(), 1), T0, HONEST)).isEqualTo(Offer.ADDED);
    }
    assertThat(k.offer(big(TestKeys.ed25519(), 1), T0, HONEST)).as("over half the bytes").isEqualTo(Offer.FULL);
    assertThat(k.heldBytes()).isLessThanOrEqualTo(cap);
    assertThat(k.countedAgainst(HOSTILE)).isEqualTo(3);
  }

  @Test
  void cachedServersCountAgainstNoIntroducerUntilOnePushesThem() {
    KnownServers k = new KnownServers(Map.of(), 4, 1 << 20, 2);
    List<Announcement> cached = List.of(announce(TestKeys.ed25519(), 1, 1), announce(TestKeys.ed25519(), 1, 1),
        announce(TestKeys.ed25519(), 1, 1));
    cached.forEach(a -> assertThat(k.offer(a, T0)).isEqualTo(Offer.ADDED));
    assertThat(k.offer(announce(TestKeys.ed25519(), 1, 1), T0, HOSTILE)).isEqualTo(Offer.ADDED);
    assertThat(k.offer(announce(TestKeys.ed25519(), 1, 1), T0, HONEST))
        .as("cached servers and an introducer within its share are never evicted").isEqualTo(Offer.FULL);
    k.markPushed(cached.get(0).nodeId(), HOSTILE);
    k.markPushed(cached.get(1).nodeId(), HOSTILE);
    k.markPushed(cached.get(1).nodeId(), HONEST);
    assertThat(k.countedAgainst(HOSTILE)).as("its re-pushed cached servers now count against it").isEqualTo(3);
    assertThat(k.countedAgainst(HONEST)).as("the first to push a server is charged with it").isZero();
    Announcement honest = announce(TestKeys.ed25519(), 1, 1);
    assertThat(k.offer(honest, T0, HONEST)).isEqualTo(Offer.ADDED);
    assertThat(k.snapshot()).extracting(GridServer::nodeId)
        .contains(honest.nodeId(), cached.get(0).nodeId(), cached.get(1).nodeId(), cached.get(2).nodeId());
    assertThat(k.countedAgainst(HOSTILE)).isEqualTo(2);
  }

  @Test
  void withOneIntroducerAFloodStillNeverEvicts() {
    KnownServers k = new KnownServers(Map.of(), 3, 1 << 20, 1);
    for (int i = 0; i < 3; i++) {
      assertThat(k.offer(announce(TestKeys.ed25519(), 1, 1), T0, HONEST)).isEqualTo(Offer.ADDED);
    }
    List<NodeId> before = k.snapshot().stream().map(GridServer::nodeId).toList();
    assertThat(k.offer(announce(TestKeys.ed25519(), 1, 1), T0, HONEST)).isEqualTo(Offer.FULL);
    assertThat(k.snapshot()).extracting(GridServer::nodeId).containsExactlyElementsOf(before);
  }

  /** An announcement of about 1.5 KiB (long nickname, version and addresses). */
  static Announcement big(NodeSigner key, long seq) {
    return big(key, seq, 4);
  }

  static Announcement big(NodeSigner key, long seq, int addressCount) {
    List<HostPort> addresses = bigAddresses(addressCount);
    return Announcement.sign(new ServerDetails("n".repeat(128), addresses, 1, "v".repeat(256), seq, Instant.EPOCH), key);
  }

  /** {@code n} addresses of 250-character host names. */
  static List<HostPort> bigAddresses(int n) {
    List<HostPort> addresses = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      addresses.add(new HostPort((char) ('a' + i) + "h".repeat(250), 1000 + i));
    }
    return addresses;
  }
}
