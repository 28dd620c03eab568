package org.cairnfs.introducer.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.introducer.announcement.NodeSigner;
import org.cairnfs.introducer.announcement.ServerDetails;
import org.cairnfs.introducer.announcement.TestKeys;
import org.cairnfs.protocol.identity.NodeId;
import org.junit.jupiter.api.Test;

class KnownServersTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  static Announcement announce(NodeSigner key, long seq, long free) {
    return Announcement.sign(new ServerDetails("s", List.of(new HostPort("h", 1)), free, "v", seq,
        Instant.EPOCH), key);
  }

  @Test
  void highestSequenceWinsRegardlessOfOrder() {
    KnownServers k = new KnownServers(Map.of(), 10);
    NodeSigner key = TestKeys.ed25519();
    assertThat(k.offer(announce(key, 5, 50), T0)).isTrue();
    assertThat(k.offer(announce(key, 4, 40), T0)).isFalse();
    assertThat(k.offer(announce(key, 5, 50), T0.plusSeconds(9))).isFalse();
    assertThat(k.snapshot().get(0).lastSeen()).isEqualTo(T0);
    assertThat(k.offer(announce(key, 6, 60), T0.plusSeconds(10))).isTrue();
    assertThat(k.snapshot()).singleElement()
        .satisfies(s -> assertThat(s.freeSpace()).isEqualTo(60))
        .satisfies(s -> assertThat(s.lastSeen()).isEqualTo(T0.plusSeconds(10)));
  }

  @Test
  void ageingDropsOnlyStaleNonStaticEntries() {
    NodeSigner staticKey = TestKeys.ed25519();
    NodeId staticId = NodeId.ofPublicKey(staticKey.publicKey());
    KnownServers k = new KnownServers(Map.of(staticId,
        GridServer.unannounced(staticId, List.of(new HostPort("s", 2)), T0)), 10);
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
    KnownServers k = new KnownServers(Map.of(id, GridServer.unannounced(id, List.of(new HostPort("s", 2)), T0)), 10);
    assertThat(k.snapshot().get(0).freeSpace()).isEqualTo(GridServer.UNKNOWN_FREE_SPACE);
    k.offer(announce(key, 1, 77), T0);
    GridServer s = k.snapshot().get(0);
    assertThat(s.freeSpace()).isEqualTo(77);
    assertThat(s.isStatic()).isTrue();
    assertThat(k.expire(T0.plus(Duration.ofDays(9)), Duration.ofHours(1))).isFalse();
  }

  @Test
  void boundRefusesNewNodes() {
    KnownServers k = new KnownServers(Map.of(), 1);
    assertThat(k.offer(announce(TestKeys.ed25519(), 1, 1), T0)).isTrue();
    assertThat(k.offer(announce(TestKeys.ed25519(), 1, 1), T0)).isFalse();
    assertThat(k.size()).isEqualTo(1);
  }
}
