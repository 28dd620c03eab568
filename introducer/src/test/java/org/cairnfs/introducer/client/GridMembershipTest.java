package org.cairnfs.introducer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.introducer.NodeAddress;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.introducer.announcement.NodeSigner;
import org.cairnfs.introducer.announcement.ServerDetails;
import org.cairnfs.introducer.announcement.TestKeys;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offline behaviour: cache, static servers and ageing, with no introducer at all. */
class GridMembershipTest {
  @TempDir Path dir;
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2025-06-01T00:00:00Z"));
  private final InstantSource clock = now::get;

  private static final IntroducerUrl INTRODUCER =
      new IntroducerUrl(NodeKey.generate().nodeId(), new HostPort("127.0.0.1", 9));

  /** An announcement issued now (on the test's clock). */
  private Announcement announce(String nick) {
    return announce(nick, now.get(), TestKeys.ed25519());
  }

  private static Announcement announce(String nick, Instant issued, NodeSigner key) {
    return Announcement.sign(new ServerDetails(nick, List.of(new HostPort("127.0.0.1", 9)), 5, "v", 1,
        issued), key);
  }

  private GridMembership.Builder membership() {
    return GridMembership.builder(NodeKey.generate()).clock(clock).wallClock(clock);
  }

  @Test
  void cachedServersAgeOutWithTheClockStaticOnesStay() throws Exception {
    Path file = dir.resolve("announcements.cache");
    Instant t = now.get();
    new AnnouncementCache(file).save(List.of(
        new AnnouncementCache.Entry(announce("old"), t.minus(Duration.ofHours(3))),
        new AnnouncementCache.Entry(announce("recent"), t.minus(Duration.ofMinutes(10)))));
    NodeAddress pinned = new NodeAddress(NodeKey.generate().nodeId(), new HostPort("10.1.1.1", 7));
    Announcement staticAnnouncement = announce("static");
    try (GridMembership m = membership().cacheFile(file)
        .maxAge(Duration.ofHours(1)).staticServer(pinned).staticAnnouncement(staticAnnouncement.toBytes())
        .build().start()) {
      assertThat(m.servers()).extracting(GridServer::nickname)
          .containsExactlyInAnyOrder("recent", "static", "");
      assertThat(m.server(pinned.nodeId())).get()
          .satisfies(s -> assertThat(s.freeSpace()).isEqualTo(GridServer.UNKNOWN_FREE_SPACE));
      now.set(t.plus(Duration.ofHours(2)));
      assertThat(m.servers()).extracting(GridServer::nickname).containsExactlyInAnyOrder("static", "");
    }
  }

  /**
   * A node that names its servers takes only those from introducers and the cache; the others
   * (anyone can announce) are ignored, also when their announcement is signed and fresh.
   */
  @Test
  void onlyTheAllowedServersAreTakenFromIntroducersAndTheCache() throws Exception {
    Path file = dir.resolve("announcements.cache");
    Announcement member = announce("member");
    Announcement cachedMember = announce("cached-member");
    Announcement stranger = announce("stranger");
    Announcement cachedStranger = announce("cached-stranger");
    new AnnouncementCache(file).save(List.of(
        new AnnouncementCache.Entry(cachedMember, now.get()),
        new AnnouncementCache.Entry(cachedStranger, now.get())));
    NodeAddress pinned = new NodeAddress(NodeKey.generate().nodeId(), new HostPort("10.1.1.1", 7));
    try (GridMembership m = membership().cacheFile(file).staticServer(pinned)
        .allowedServers(Set.of(member.nodeId(), cachedMember.nodeId())).build().start()) {
      assertThat(m.servers()).extracting(GridServer::nickname)
          .containsExactlyInAnyOrder("cached-member", "");
      m.receive(INTRODUCER, List.of(member.toBytes(), stranger.toBytes()));
      assertThat(m.servers()).extracting(GridServer::nickname)
          .containsExactlyInAnyOrder("member", "cached-member", "");
      assertThat(m.announcedSinceStart(stranger.nodeId())).isFalse();
      assertThat(m.server(pinned.nodeId())).as("static servers stay").isPresent();
    }
    assertThat(new AnnouncementCache(file).load())
        .extracting(e -> e.announcement().nickname()).doesNotContain("stranger", "cached-stranger");
  }

  @Test
  void corruptCacheStartsEmptyAndIsReplacedOnClose() throws Exception {
    Path file = dir.resolve("announcements.cache");
    Files.write(file, new byte[] {'C', 'A', 'N', 'C', 0, 1, (byte) 0xff, 0, 0, 0, 1});
    Announcement a = announce("s");
    try (GridMembership m = GridMembership.builder(NodeKey.generate()).cacheFile(file)
        .staticAnnouncement(a.toBytes()).build().start()) {
      assertThat(m.servers()).hasSize(1);
    }
    assertThat(new AnnouncementCache(file).load()).extracting(AnnouncementCache.Entry::announcement)
        .containsExactly(a);
  }

  @Test
  void invalidStaticAnnouncementIsRefusedAtBuild() {
    byte[] bad = announce("s").toBytes();
    bad[10] ^= 1;
    assertThatThrownBy(() -> GridMembership.builder(NodeKey.generate()).staticAnnouncement(bad))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("static server announcement");
  }

  @Test
  void aFloodFromAnIntroducerStaysUnderTheLimitsAndKeepsTheServersKnownBefore() throws Exception {
    Path file = dir.resolve("announcements.cache");
    long cap = 64 * 1024;
    NodeSigner realKey = TestKeys.ed25519();
    List<Announcement> real = List.of(announce("real-0", now.get(), realKey), announce("real-1"), announce("real-2"));
    List<Announcement> flood = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      flood.add(Announcement.sign(new ServerDetails("n".repeat(128), KnownServersTest.bigAddresses(4), 1,
          "v".repeat(256), 1, now.get()), TestKeys.ed25519()));
    }
    GridMembership m = membership().cacheFile(file).maxHeldBytes(cap).maxServers(100).build().start();
    try {
      m.receive(INTRODUCER, real.stream().map(Announcement::toBytes).toList());
      for (int i = 0; i < flood.size(); i += 50) {
        m.receive(INTRODUCER, flood.subList(i, i + 50).stream().map(Announcement::toBytes).toList());
        assertThat(m.heldBytes()).isLessThanOrEqualTo(cap);
      }
      assertThat(m.servers().size()).isLessThan(3 + flood.size());
      assertThat(m.servers()).extracting(GridServer::nickname).contains("real-0", "real-1", "real-2");
      assertThat(m.announcedSinceStart(real.get(0).nodeId())).isTrue();
      assertThat(m.announcedSinceStart(flood.get(flood.size() - 1).nodeId())).as("refused, not remembered").isFalse();
      Announcement update = Announcement.sign(new ServerDetails("real-0b", List.of(new HostPort("127.0.0.1", 9)),
          6, "v", 2, now.get()), realKey);
      m.receive(INTRODUCER, List.of(update.toBytes()));
      assertThat(m.server(update.nodeId())).get().extracting(GridServer::nickname).isEqualTo("real-0b");
    } finally {
      m.close();
    }
    AnnouncementCache written = new AnnouncementCache(file, AnnouncementCache.maxBytesFor(100, cap));
    assertThat(Files.size(file)).isLessThanOrEqualTo(written.maxBytes());
    assertThat(written.load()).extracting(e -> e.announcement().nickname())
        .startsWith("real-0b", "real-1", "real-2");
  }

  @Test
  void aCacheFileOverTheLimitIsIgnoredAtStart() throws Exception {
    Path file = dir.resolve("announcements.cache");
    List<AnnouncementCache.Entry> entries = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      entries.add(new AnnouncementCache.Entry(Announcement.sign(new ServerDetails("n".repeat(128),
          KnownServersTest.bigAddresses(4), 1, "v".repeat(256), 1, now.get()), TestKeys.ed25519()), now.get()));
    }
    new AnnouncementCache(file).save(entries); // a valid file, written under the default limit
    long limit = AnnouncementCache.maxBytesFor(100, 64 * 1024);
    assertThat(Files.size(file)).isGreaterThan(limit);
    try (GridMembership m = membership().cacheFile(file).maxServers(100).maxHeldBytes(64 * 1024)
        .build().start()) {
      assertThat(m.servers()).isEmpty();
    }
    assertThat(Files.size(file)).as("rewritten with what is held").isLessThanOrEqualTo(limit);
  }

  @Test
  void announcementsIssuedTooLongAgoOrTooFarAheadAreIgnored() throws Exception {
    Instant t = now.get();
    Duration maxAge = Duration.ofHours(1);
    Announcement stale = announce("stale", t.minus(maxAge).minusSeconds(60), TestKeys.ed25519());
    Announcement oldButFresh = announce("old-ok", t.minus(maxAge).plusSeconds(60), TestKeys.ed25519());
    Announcement ahead = announce("ahead", t.plus(Duration.ofMinutes(11)), TestKeys.ed25519());
    Announcement slightlyAhead = announce("ahead-ok", t.plus(Duration.ofMinutes(9)), TestKeys.ed25519());
    try (GridMembership m = membership().maxAge(maxAge).build().start()) {
      m.receive(INTRODUCER, List.of(stale.toBytes(), oldButFresh.toBytes(), ahead.toBytes(),
          slightlyAhead.toBytes()));
      assertThat(m.servers()).extracting(GridServer::nickname).containsExactlyInAnyOrder("old-ok", "ahead-ok");
      assertThat(m.announcedSinceStart(stale.nodeId())).isFalse();
    }
  }

  @Test
  void cachedAnnouncementsIssuedTooLongAgoAreSkippedAtLoad() throws Exception {
    Path file = dir.resolve("announcements.cache");
    Instant t = now.get();
    // last seen recently, but issued two hours ago: a replay the cache must not revive
    new AnnouncementCache(file).save(List.of(
        new AnnouncementCache.Entry(announce("replayed", t.minus(Duration.ofHours(2)), TestKeys.ed25519()), t),
        new AnnouncementCache.Entry(announce("fresh"), t)));
    try (GridMembership m = membership().cacheFile(file).maxAge(Duration.ofHours(1)).build().start()) {
      assertThat(m.servers()).extracting(GridServer::nickname).containsExactly("fresh");
    }
  }
}
