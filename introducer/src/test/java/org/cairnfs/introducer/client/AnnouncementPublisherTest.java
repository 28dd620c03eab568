package org.cairnfs.introducer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.Test;

class AnnouncementPublisherTest {
  private final AtomicLong millis = new AtomicLong(1_000_000);
  private final InstantSource clock = () -> Instant.ofEpochMilli(millis.get());

  @Test
  void everyRefreshSignsAHigherSequenceWithCurrentFreeSpace() throws Exception {
    NodeKey key = NodeKey.generate();
    AtomicLong free = new AtomicLong(10);
    try (AnnouncementPublisher p = AnnouncementPublisher.builder(key).nickname("n")
        .address(new HostPort("h", 1)).softwareVersion("v").freeSpace(free::get).clock(clock).build()) {
      Announcement first = p.current();
      assertThat(first.nodeId()).isEqualTo(key.nodeId());
      assertThat(first.sequence()).isEqualTo(1_000_000);
      free.set(20);
      p.publishNow().get();
      assertThat(p.current().sequence()).isEqualTo(1_000_001);
      assertThat(p.current().freeSpace()).isEqualTo(20);
      millis.set(5_000_000);
      p.publishNow().get();
      assertThat(p.current().sequence()).isEqualTo(5_000_000);
      assertThat(Announcement.parse(p.current().toBytes())).isEqualTo(p.current());
    }
  }

  @Test
  void missingSettingsAreNamed() {
    NodeKey key = NodeKey.generate();
    assertThatThrownBy(() -> AnnouncementPublisher.builder(key).softwareVersion("v").freeSpace(() -> 0).build())
        .hasMessageContaining("address");
    assertThatThrownBy(() -> AnnouncementPublisher.builder(key).address(new HostPort("h", 1)).freeSpace(() -> 0).build())
        .hasMessageContaining("software version");
    assertThatThrownBy(() -> AnnouncementPublisher.builder(key).nickname("x".repeat(200)))
        .hasMessageContaining("nickname");
  }
}
