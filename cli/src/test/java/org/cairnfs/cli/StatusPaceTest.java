package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cairnfs.fs.grid.ConnectPacer;
import org.cairnfs.fs.testing.CountingListener;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.client.GridServer;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.Test;

/**
 * {@code cairn status} asks every announced server, and anyone can announce servers at any
 * address: its probes keep the grid client's pace per host (a hostile re-run found one status
 * making 3 200 connections to a victim named by 200 announcements of 16 addresses).
 */
class StatusPaceTest {
  @Test
  void probesOfServersAnnouncedAtOneHostKeepThePace() throws Exception {
    try (CountingListener victim = new CountingListener()) {
      List<HostPort> sixteen = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        sixteen.add(new HostPort("127.0.0.1", victim.port()));
      }
      ConnectPacer pacer = ConnectPacer.of(4, 4, true);
      ClientOptions options = ClientOptions.builder().connectTimeout(Duration.ofSeconds(1))
          .requestTimeout(Duration.ofSeconds(2)).build();
      NodeKey key = NodeKey.generate();
      List<CompletableFuture<?>> answers = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        GridServer fake = new GridServer(NodeKey.generate().nodeId(), "fake" + i, sixteen,
            1L << 40, "", -1, Instant.EPOCH, true, Optional.empty());
        answers.add(StatusCommand.ask(fake, key, options, pacer));
      }
      for (CompletableFuture<?> a : answers) {
        a.handle((r, e) -> null).get(60, TimeUnit.SECONDS);
      }
      assertThat(answers).allMatch(CompletableFuture::isCompletedExceptionally);
      Thread.sleep(200);
      assertThat(victim.accepted()).as("320 addresses announced; the pace allows a handful")
          .isLessThan(40);
    }
  }
}
