package org.cairnfs.introducer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.introducer.announcement.NodeSigner;
import org.cairnfs.introducer.announcement.TestKeys;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.server.Caller;
import org.cairnfs.protocol.server.RequestException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The introducer's per-address shares, pacing, freshness and shared memory. */
class IntroducerServiceLimitsTest {
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2025-01-01T00:00:00Z"));
  private int connections;

  private Announcement fresh(NodeSigner key, long seq) {
    return IntroducerServiceTest.announce(key, seq, now.get());
  }

  /** A new connection from {@code host}. */
  private Caller from(String host) {
    return new Caller(NodeId.of(new byte[32]), ++connections, new InetSocketAddress(host, 5000));
  }

  private IntroducerService.Builder service() {
    return IntroducerService.builder().clock(now::get);
  }

  private static ErrorCode code(Throwable e) {
    return ((RequestException) e).code();
  }

  @Nested
  class SharedMemory {
    /**
     * Subscribers that never read hold references to the one array per node, never copies:
     * the heap does not grow with their number.
     */
    @Test
    void everySubscriberAndEveryPushShareOneArrayPerNode() throws Exception {
      IntroducerService s = service().build();
      List<NodeSigner> keys = List.of(TestKeys.ed25519(), TestKeys.ed25519(), TestKeys.ed25519());
      for (NodeSigner k : keys) {
        s.publish(from("192.0.2.1"), fresh(k, 1).toBytes());
      }
      List<FakeSubscription> subs = new ArrayList<>();
      for (int i = 0; i < 15; i++) {
        Caller c = from("192.0.2." + (10 + i));
        FakeSubscription sub = new FakeSubscription(c);
        s.subscribe(c, sub);
        subs.add(sub);
      }
      List<byte[]> first = subs.get(0).pushes.get(0);
      assertThat(first).hasSize(3);
      for (FakeSubscription sub : subs) {
        List<byte[]> snapshot = sub.pushes.get(0);
        assertThat(snapshot).hasSize(3);
        for (byte[] a : first) {
          assertThat(snapshot).as("the same array, not a copy")
              .anySatisfy(b -> assertThat(b).isSameAs(a));
        }
      }
      s.publish(from("192.0.2.1"), fresh(keys.get(0), 2).toBytes());
      byte[] update = subs.get(0).pushes.get(1).get(0);
      for (FakeSubscription sub : subs) {
        assertThat(sub.pushes.get(1).get(0)).isSameAs(update);
      }
    }

    @Test
    void anEmptyIntroducerStillPushesAnEmptySnapshotFirst() throws Exception {
      IntroducerService s = service().build();
      Caller c = from("192.0.2.1");
      FakeSubscription sub = new FakeSubscription(c);
      s.subscribe(c, sub);
      assertThat(sub.pushes).hasSize(1);
      assertThat(sub.pushes.get(0)).isEmpty();
    }
  }

  @Nested
  class Subscriptions {
    @Test
    void oneConnectionGetsOneSubscription() throws Exception {
      IntroducerService s = service().build();
      Caller c = from("192.0.2.1");
      s.subscribe(c, new FakeSubscription(c));
      assertThatThrownBy(() -> s.subscribe(c, new FakeSubscription(c)))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BAD_REQUEST))
          .hasMessageContaining("one per connection");
      assertThat(s.subscriberCount()).isEqualTo(1);
    }

    @Test
    void oneAddressCannotTakeEverySlotAndAClosedOneGivesItsPlaceBack() throws Exception {
      IntroducerService s = service().maxSubscribers(10).maxSubscribersPerAddress(3).build();
      List<FakeSubscription> mine = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Caller c = from("192.0.2.1");
        FakeSubscription sub = new FakeSubscription(c);
        s.subscribe(c, sub);
        mine.add(sub);
      }
      Caller fourth = from("192.0.2.1");
      assertThatThrownBy(() -> s.subscribe(fourth, new FakeSubscription(fourth)))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BUSY))
          .hasMessageContaining("already has 3 subscriptions");
      Caller honest = from("198.51.100.7");
      s.subscribe(honest, new FakeSubscription(honest));
      mine.get(0).close();
      s.subscribe(fourth, new FakeSubscription(fourth));
      assertThat(s.subscriberCount()).isEqualTo(4);
      mine.forEach(FakeSubscription::close);
      assertThat(s.subscriberCount()).isEqualTo(2);
    }

    /** The default is the one the docs give: 32 per address, loopback included. */
    @Test
    void theDefaultPerAddressBoundAppliesToLoopbackToo() throws Exception {
      IntroducerService s = service().build();
      for (int i = 0; i < 32; i++) {
        Caller c = from("127.0.0.1");
        s.subscribe(c, new FakeSubscription(c));
      }
      Caller c = from("127.0.0.1");
      assertThatThrownBy(() -> s.subscribe(c, new FakeSubscription(c)))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BUSY));
    }
  }

  @Nested
  class HeldShares {
    /** One address minting node ids fills its own share; others still get in. */
    @Test
    void newNodesAreRefusedOnlyForTheAddressAtItsQuota() throws Exception {
      IntroducerService s = service().maxNodes(100).maxNodesPerAddress(3).build();
      for (int i = 0; i < 3; i++) {
        s.publish(from("192.0.2.1"), fresh(TestKeys.ed25519(), 1).toBytes());
      }
      assertThatThrownBy(() -> s.publish(from("192.0.2.1"), fresh(TestKeys.ed25519(), 1).toBytes()))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BUSY))
          .hasMessageContaining("already brought in 3 nodes");
      s.publish(from("198.51.100.7"), fresh(TestKeys.ed25519(), 1).toBytes());
      assertThat(s.announcements()).hasSize(4);
    }

    @Test
    void theByteShareIsPerAddressAndUpdatesOfHeldNodesStillPass() throws Exception {
      int size = fresh(TestKeys.ed25519(), 1).toBytes().length;
      IntroducerService s = service().maxHeldBytesPerAddress(2L * size + size / 2).build();
      NodeSigner held = TestKeys.ed25519();
      s.publish(from("192.0.2.1"), fresh(held, 1).toBytes());
      s.publish(from("192.0.2.1"), fresh(TestKeys.ed25519(), 1).toBytes());
      assertThatThrownBy(() -> s.publish(from("192.0.2.1"), fresh(TestKeys.ed25519(), 1).toBytes()))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BUSY))
          .hasMessageContaining("the most one address may hold");
      s.publish(from("192.0.2.1"), fresh(held, 2).toBytes());
      s.publish(from("198.51.100.7"), fresh(TestKeys.ed25519(), 1).toBytes());
      assertThat(s.announcements()).hasSize(3);
    }

    @Test
    void aFullIntroducerRefusesNewNodesButTakesUpdatesOfHeldOnes() throws Exception {
      int size = fresh(TestKeys.ed25519(), 1).toBytes().length;
      IntroducerService s = service().maxHeldBytes(2L * size + size / 2).build();
      NodeSigner a = TestKeys.ed25519();
      s.publish(from("192.0.2.1"), fresh(a, 1).toBytes());
      s.publish(from("192.0.2.2"), fresh(TestKeys.ed25519(), 1).toBytes());
      assertThatThrownBy(() -> s.publish(from("192.0.2.3"), fresh(TestKeys.ed25519(), 1).toBytes()))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BUSY))
          .hasMessageContaining("new ones must wait");
      s.publish(from("192.0.2.3"), fresh(a, 2).toBytes());
      assertThat(s.announcements()).extracting(Announcement::sequence).contains(2L);
    }

    @Test
    void sharesAreGivenBackWhenEntriesAgeOut() throws Exception {
      IntroducerService s = service().maxNodesPerAddress(1).maxAge(Duration.ofHours(1)).build();
      s.publish(from("192.0.2.1"), fresh(TestKeys.ed25519(), 1).toBytes());
      assertThat(s.chargedAddresses()).isEqualTo(1);
      now.set(now.get().plus(Duration.ofHours(2)));
      assertThat(s.announcements()).isEmpty();
      assertThat(s.chargedAddresses()).isZero();
      assertThat(s.heldBytes()).isZero();
      s.publish(from("192.0.2.1"), fresh(TestKeys.ed25519(), 1).toBytes());
    }
  }

  @Nested
  class Pacing {
    @Test
    void aNodeGetsABurstAndThenOnePublishPerInterval() throws Exception {
      IntroducerService s = service().build(); // burst 4, then one per 15 s
      NodeSigner k = TestKeys.ed25519();
      for (int seq = 1; seq <= 4; seq++) {
        s.publish(from("192.0.2.1"), fresh(k, seq).toBytes());
      }
      assertThatThrownBy(() -> s.publish(from("192.0.2.1"), fresh(k, 5).toBytes()))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BUSY))
          .hasMessageContaining("publishes too often").hasMessageContaining("again in 15 s");
      now.set(now.get().plusSeconds(15));
      s.publish(from("192.0.2.1"), fresh(k, 5).toBytes());
      assertThatThrownBy(() -> s.publish(from("192.0.2.1"), fresh(k, 6).toBytes()))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BUSY));
      assertThat(s.announcements()).extracting(Announcement::sequence).containsExactly(5L);
      // A replay is dropped, not refused (it costs a signature check, within the address's
      // budget: SignatureChecks).
      s.publish(from("192.0.2.1"), fresh(k, 5).toBytes());
    }

    @Test
    void aRefusedPublishIsNotPushed() throws Exception {
      IntroducerService s = service().publishBurst(1).build();
      NodeSigner k = TestKeys.ed25519();
      Caller c = from("192.0.2.5");
      FakeSubscription sub = new FakeSubscription(c);
      s.subscribe(c, sub);
      s.publish(from("192.0.2.1"), fresh(k, 1).toBytes());
      assertThatThrownBy(() -> s.publish(from("192.0.2.1"), fresh(k, 2).toBytes()))
          .isInstanceOf(RequestException.class);
      assertThat(sub.received).extracting(Announcement::sequence).containsExactly(1L);
    }
  }

  @Nested
  class SignatureChecks {
    /**
     * A forged announcement costs the introducer a signature check and its sender nothing: past
     * its budget an address is answered BUSY before any check, other addresses are not
     * affected, and the budget refills with time.
     */
    @Test
    void anAddressPublishingFasterThanItsBudgetIsRefusedBeforeAnyCheck() throws Exception {
      IntroducerService s = service().signatureChecks(3, 2).build();
      byte[] forged = new byte[200];
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> s.publish(from("192.0.2.1"), forged))
            .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.REJECTED));
      }
      assertThatThrownBy(() -> s.publish(from("192.0.2.1"), forged))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BUSY))
          .hasMessageContaining("192.0.2.1").hasMessageContaining("publish again later");
      NodeSigner k = TestKeys.ed25519();
      assertThatThrownBy(() -> s.publish(from("192.0.2.1"), fresh(k, 1).toBytes()))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BUSY));
      assertThat(s.announcements()).isEmpty();
      assertThatThrownBy(() -> s.publish(from("192.0.2.2"), forged))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.REJECTED));
      now.set(now.get().plusMillis(500)); // two a second: one more
      s.publish(from("192.0.2.1"), fresh(k, 1).toBytes());
      assertThat(s.announcements()).hasSize(1);
      assertThatThrownBy(() -> s.publish(from("192.0.2.1"), forged))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BUSY));
    }

    /**
     * A peer sharing an address with honest servers (NAT, a /64, loopback) spends that
     * address's budget on junk: updates of nodes the introducer holds still get checked.
     */
    @Test
    void updatesOfHeldNodesPassAnAddressWhoseBudgetJunkSpent() throws Exception {
      IntroducerService s = service().signatureChecks(2, 1).build();
      NodeSigner k = TestKeys.ed25519();
      s.publish(from("192.0.2.1"), fresh(k, 1).toBytes());
      assertThatThrownBy(() -> s.publish(from("192.0.2.1"), new byte[200]))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.REJECTED));
      assertThatThrownBy(() -> s.publish(from("192.0.2.1"), new byte[200]))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BUSY));
      assertThatThrownBy(() -> s.publish(from("192.0.2.1"), fresh(TestKeys.ed25519(), 1)
          .toBytes())).as("a node not held").satisfies(e -> assertThat(code(e))
              .isEqualTo(ErrorCode.BUSY));
      s.publish(from("192.0.2.1"), fresh(k, 2).toBytes());
      assertThat(s.announcements()).extracting(Announcement::sequence).containsExactly(2L);
    }

    /** Many addresses together are bounded too: the CPU of all checks has a ceiling. */
    @Test
    void allAddressesTogetherHaveABudget() {
      IntroducerService s = service().signatureChecks(10, 1).allSignatureChecks(3, 1).build();
      for (int i = 1; i <= 3; i++) {
        String host = "192.0.2." + i;
        assertThatThrownBy(() -> s.publish(from(host), new byte[200]))
            .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.REJECTED));
      }
      assertThatThrownBy(() -> s.publish(from("192.0.2.4"), new byte[200]))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BUSY));
      now.set(now.get().plusSeconds(1));
      assertThatThrownBy(() -> s.publish(from("192.0.2.4"), new byte[200]))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.REJECTED));
    }

    @Test
    void theBudgetsOfQuietAddressesAreForgotten() {
      CellRate two = new CellRate(2, Duration.ofSeconds(1));
      SignatureBudget budget = new SignatureBudget(two, two, CellRate.perSecond(1, 0),
          100_000);
      Instant t = now.get();
      for (int i = 0; i < 1000; i++) {
        assertThat(budget.take("198.51.100." + i, false, t)).isTrue();
      }
      assertThat(budget.tracked()).isEqualTo(1000);
      assertThat(budget.take("198.51.100.7", false, t)).isTrue();
      assertThat(budget.take("198.51.100.7", false, t)).as("burst of 2 spent").isFalse();
      assertThat(budget.take("203.0.113.1", false, t.plus(Duration.ofMinutes(2)))).isTrue();
      assertThat(budget.tracked()).isEqualTo(1);
    }

    @Test
    void pastTheTrackedAddressesANewOneIsRefused() {
      CellRate two = new CellRate(2, Duration.ofSeconds(1));
      SignatureBudget budget = new SignatureBudget(two, two, CellRate.perSecond(1, 0),
          3);
      Instant t = now.get();
      for (int i = 0; i < 3; i++) {
        assertThat(budget.take("198.51.100." + i, false, t)).isTrue();
      }
      assertThat(budget.take("203.0.113.1", false, t)).isFalse();
      assertThat(budget.take("203.0.113.1", true, t)).as("a held node's update").isTrue();
      assertThat(budget.take("203.0.113.1", false, t.plusSeconds(2))).as("room again").isTrue();
    }

    /** A clock stepped back costs a spent budget, not refusals for as long as the step. */
    @Test
    void aClockSteppedBackCostsOneSpentBudget() {
      CellRate two = new CellRate(2, Duration.ofSeconds(1));
      SignatureBudget budget = new SignatureBudget(two, two, CellRate.perSecond(1, 0),
          100);
      Instant t = now.get();
      assertThat(budget.take("a", false, t)).isTrue();
      assertThat(budget.take("a", false, t)).isTrue();
      Instant back = t.minus(Duration.ofHours(1));
      assertThat(budget.take("a", false, back)).isFalse();
      assertThat(budget.take("a", false, back.plusSeconds(1))).isTrue();
    }
  }

  @Nested
  class Freshness {
    @Test
    void anAnnouncementIssuedBeforeTheMaxAgeIsRejected() throws Exception {
      IntroducerService s = service().maxAge(Duration.ofDays(3)).build();
      Announcement old = IntroducerServiceTest.announce(TestKeys.ed25519(), 1,
          now.get().minus(Duration.ofDays(3)).minusSeconds(1));
      assertThatThrownBy(() -> s.publish(from("192.0.2.1"), old.toBytes()))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.REJECTED))
          .hasMessageContaining("max age").hasMessageContaining("check the node's clock");
      Announcement oldButFine = IntroducerServiceTest.announce(TestKeys.ed25519(), 1,
          now.get().minus(Duration.ofDays(2)));
      s.publish(from("192.0.2.1"), oldButFine.toBytes());
      assertThat(s.announcements()).hasSize(1);
    }

    @Test
    void anAnnouncementFromTooFarAheadIsRejected() throws Exception {
      IntroducerService s = service().build();
      Announcement ahead = IntroducerServiceTest.announce(TestKeys.ed25519(), 1,
          now.get().plus(Duration.ofMinutes(11)));
      assertThatThrownBy(() -> s.publish(from("192.0.2.1"), ahead.toBytes()))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.REJECTED))
          .hasMessageContaining("ahead of the introducer's clock");
      s.publish(from("192.0.2.1"),
          IntroducerServiceTest.announce(TestKeys.ed25519(), 1, now.get().plusSeconds(540))
              .toBytes());
      assertThat(s.announcements()).hasSize(1);
    }
  }
}
