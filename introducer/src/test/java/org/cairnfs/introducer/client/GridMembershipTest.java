package org.cairnfs.introducer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.NodeAddress;
import org.cairnfs.introducer.announcement.Announcement;
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

  private static Announcement announce(String nick) {
    return Announcement.sign(new ServerDetails(nick, List.of(new HostPort("127.0.0.1", 9)), 5, "v", 1,
        Instant.EPOCH), TestKeys.ed25519());
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
    try (GridMembership m = GridMembership.builder(NodeKey.generate()).cacheFile(file).clock(clock)
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
}
