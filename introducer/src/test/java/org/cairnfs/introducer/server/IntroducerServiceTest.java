package org.cairnfs.introducer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.introducer.announcement.NodeSigner;
import org.cairnfs.introducer.announcement.ServerDetails;
import org.cairnfs.introducer.announcement.TestKeys;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.server.Caller;
import org.cairnfs.protocol.server.RequestException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class IntroducerServiceTest {
  private static final Caller CALLER = new Caller(NodeId.of(new byte[32]), 7, new InetSocketAddress(1));
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2025-01-01T00:00:00Z"));
  private final InstantSource clock = now::get;

  static Announcement announce(NodeSigner key, long seq, Instant issuedAt) {
    return Announcement.sign(new ServerDetails("s" + seq, List.of(new HostPort("127.0.0.1", 4000)),
        1000 * seq, "test", seq, issuedAt), key);
  }

  /** Issued now by the real clock, for an introducer on the real clock. */
  static Announcement announce(NodeSigner key, long seq) {
    return announce(key, seq, Instant.now());
  }

  /** Issued now by this test's clock. */
  private Announcement fresh(NodeSigner key, long seq) {
    return announce(key, seq, now.get());
  }

  @Nested
  class Publish {
    @Test
    void keepsNewestPerNodeAndDropsReplays() throws Exception {
      IntroducerService s = IntroducerService.builder().clock(clock).build();
      NodeSigner k = TestKeys.ed25519();
      s.publish(CALLER, fresh(k, 5).toBytes());
      s.publish(CALLER, fresh(k, 3).toBytes());
      s.publish(CALLER, fresh(k, 5).toBytes());
      assertThat(s.announcements()).extracting(Announcement::sequence).containsExactly(5L);
      s.publish(CALLER, fresh(k, 6).toBytes());
      assertThat(s.announcements()).extracting(Announcement::sequence).containsExactly(6L);
    }

    @Test
    void badAnnouncementIsRejected() {
      IntroducerService s = IntroducerService.builder().clock(clock).build();
      byte[] bytes = fresh(TestKeys.ed25519(), 1).toBytes();
      bytes[bytes.length - 1] ^= 1;
      assertThatThrownBy(() -> s.publish(CALLER, bytes)).isInstanceOf(RequestException.class)
          .satisfies(e -> assertThat(((RequestException) e).code()).isEqualTo(ErrorCode.REJECTED))
          .hasMessageContaining("does not verify");
      assertThatThrownBy(() -> s.publish(CALLER, new byte[3])).hasMessageContaining("truncated");
      assertThat(s.announcements()).isEmpty();
    }

    @Test
    void nodeBoundRefusesNewNodesButAcceptsUpdates() throws Exception {
      IntroducerService s = IntroducerService.builder().clock(clock).maxNodes(2).build();
      NodeSigner a = TestKeys.ed25519();
      s.publish(CALLER, fresh(a, 1).toBytes());
      s.publish(CALLER, fresh(TestKeys.ed25519(), 1).toBytes());
      assertThatThrownBy(() -> s.publish(CALLER, fresh(TestKeys.ed25519(), 1).toBytes()))
          .satisfies(e -> assertThat(((RequestException) e).code()).isEqualTo(ErrorCode.BUSY));
      s.publish(CALLER, fresh(a, 2).toBytes());
      assertThat(s.announcements()).hasSize(2);
    }

    @Test
    void byteBoundRefusesWhatWouldPassItAndCountsReplacementsOnce() throws Exception {
      int size = fresh(TestKeys.ed25519(), 1).toBytes().length;
      IntroducerService s = IntroducerService.builder().maxHeldBytes(2L * size + size / 2)
          .clock(clock).maxAge(Duration.ofDays(1)).build();
      NodeSigner a = TestKeys.ed25519();
      s.publish(CALLER, fresh(a, 1).toBytes());
      s.publish(CALLER, fresh(TestKeys.ed25519(), 1).toBytes());
      assertThatThrownBy(() -> s.publish(CALLER, fresh(TestKeys.ed25519(), 1).toBytes()))
          .satisfies(e -> assertThat(((RequestException) e).code()).isEqualTo(ErrorCode.BUSY))
          .hasMessageContaining("bytes of announcements");
      // A same-size update replaces the old bytes rather than adding to them.
      s.publish(CALLER, fresh(a, 2).toBytes());
      // Forgotten entries give their bytes back.
      now.set(now.get().plus(Duration.ofDays(2)));
      assertThat(s.announcements()).isEmpty();
      s.publish(CALLER, fresh(TestKeys.ed25519(), 1).toBytes());
      s.publish(CALLER, fresh(TestKeys.ed25519(), 1).toBytes());
      assertThat(s.announcements()).hasSize(2);
    }

    @Test
    void unrepublishedEntriesAgeOut() throws Exception {
      IntroducerService s = IntroducerService.builder().clock(clock).maxAge(Duration.ofHours(1)).build();
      NodeSigner stale = TestKeys.ed25519();
      NodeSigner fresh = TestKeys.ed25519();
      s.publish(CALLER, fresh(stale, 1).toBytes());
      s.publish(CALLER, fresh(fresh, 1).toBytes());
      now.set(now.get().plus(Duration.ofMinutes(50)));
      s.publish(CALLER, fresh(fresh, 2).toBytes());
      now.set(now.get().plus(Duration.ofMinutes(20)));
      assertThat(s.announcements()).extracting(Announcement::nodeId)
          .containsExactly(NodeId.ofPublicKey(fresh.publicKey()));
    }
  }

  @Nested
  class Subscribe {
    @Test
    void newSubscriberGetsCurrentThenUpdates() throws Exception {
      IntroducerService s = IntroducerService.builder().clock(clock).build();
      NodeSigner a = TestKeys.ed25519();
      NodeSigner b = TestKeys.ed25519();
      s.publish(CALLER, fresh(a, 1).toBytes());
      s.publish(CALLER, fresh(b, 1).toBytes());
      FakeSubscription sub = new FakeSubscription();
      s.subscribe(CALLER, sub);
      assertThat(sub.received).hasSize(2);
      s.publish(CALLER, fresh(a, 2).toBytes());
      s.publish(CALLER, fresh(a, 2).toBytes());
      assertThat(sub.received).hasSize(3);
      assertThat(sub.received.get(2)).isEqualTo(fresh(a, 2));
    }

    @Test
    void closedSubscriberIsForgotten() throws Exception {
      IntroducerService s = IntroducerService.builder().clock(clock).build();
      FakeSubscription sub = new FakeSubscription();
      s.subscribe(CALLER, sub);
      assertThat(s.subscriberCount()).isEqualTo(1);
      sub.close();
      assertThat(s.subscriberCount()).isZero();
      s.publish(CALLER, fresh(TestKeys.ed25519(), 1).toBytes());
      assertThat(sub.received).isEmpty();
    }

    @Test
    void subscriberBoundIsEnforced() throws Exception {
      IntroducerService s = IntroducerService.builder().clock(clock).maxSubscribers(1).build();
      s.subscribe(CALLER, new FakeSubscription());
      Caller other = new Caller(CALLER.nodeId(), 8, new InetSocketAddress("192.0.2.9", 1));
      assertThatThrownBy(() -> s.subscribe(other, new FakeSubscription(other)))
          .satisfies(e -> assertThat(((RequestException) e).code()).isEqualTo(ErrorCode.BUSY))
          .hasMessageContaining("maximum of 1 subscribers");
    }
  }
}
