package org.cairnfs.introducer.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.introducer.announcement.IssueTimeWindow;
import org.cairnfs.introducer.announcement.ServerDetails;
import org.cairnfs.introducer.announcement.TestKeys;
import org.cairnfs.protocol.identity.NodeId;
import org.junit.jupiter.api.Test;

class AnnouncementIntakeTest {
  private static final Instant NOW = Instant.parse("2026-12-06T00:00:00Z");

  private static byte[] minted() {
    return Announcement.sign(new ServerDetails("s", List.of(new HostPort("h", 1)), 1, "v", 1, NOW),
        TestKeys.ed25519()).toBytes();
  }

  @Test
  void aSecondIntroducersServersGetInAfterTheFirstFilledTheList() {
    KnownServers known = new KnownServers(Map.of(), 8, 1 << 20, 2);
    AnnouncementIntake intake = new AnnouncementIntake(known,
        new IssueTimeWindow(Duration.ofDays(3), Duration.ofMinutes(10)), InstantSource.fixed(NOW), 8, 1 << 20,
        null);
    IntroducerUrl hostile = KnownServersTest.introducer(1);
    IntroducerUrl honest = KnownServersTest.introducer(2);
    List<byte[]> flood = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      flood.add(minted());
    }
    intake.receive(hostile, flood, NOW);
    assertThat(known.size()).isEqualTo(8);
    List<byte[]> real = List.of(minted(), minted(), minted(), minted());
    assertThat(intake.receive(honest, real, NOW)).isTrue();
    assertThat(known.snapshot()).extracting(GridServer::nodeId).contains(real.stream()
        .map(b -> Announcement.claimedNodeId(b).orElseThrow()).toArray(NodeId[]::new));
    assertThat(known.countedAgainst(hostile)).isEqualTo(4);
    intake.receive(hostile, flood, NOW);
    assertThat(known.countedAgainst(honest)).as("a re-push does not take the room back").isEqualTo(4);
  }
}
