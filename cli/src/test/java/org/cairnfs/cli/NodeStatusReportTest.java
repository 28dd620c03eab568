package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.cairnfs.fs.gateway.NodeStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a node's gateway status page is told: the servers, this node's own storage use with its
 * limit, and the write-back queues of the node's mounts running in other processes (from their
 * status files; a file of a process gone is not shown).
 */
class NodeStatusReportTest {
  @TempDir
  Path dir;

  @Test
  void aStorageNodeReportsItsUseTheServerAndTheRunningMountsQueues() throws Exception {
    try (RunningNode intro = RunningNode.start(RunningNodeTest.introducerDir(
        dir.resolve("intro")))) {
      String url = intro.introducer().url("127.0.0.1").toString();
      NodeDirectory d = RunningNodeTest.nodeDir(dir.resolve("n1"), "alice", url, true);
      Files.writeString(d.config(), Files.readString(d.config())
          .replace("max-space = ", "max-space = 64M"));
      Path live = Files.createDirectories(d.root().resolve("mounts").resolve("live"));
      Files.writeString(live.resolve(MountStatusFile.NAME), "mountpoint: /mnt/a\npid: "
          + ProcessHandle.current().pid() + "\npending: 3\nspool: 4096\nerror: servers full\n");
      Path gone = Files.createDirectories(d.root().resolve("mounts").resolve("gone"));
      Process dead = new ProcessBuilder("true").start();
      dead.waitFor();
      Files.writeString(gone.resolve(MountStatusFile.NAME), "mountpoint: /mnt/b\npid: "
          + dead.pid() + "\npending: 1\nspool: 1\n");
      try (RunningNode node = RunningNode.start(d);
          ClientNode client = ClientNode.open(d.root())) {
        assertThat(client.awaitServers(1, Duration.ofSeconds(20))).isEqualTo(1);
        NodeStatus s = new NodeStatusReport(client, List::of, node.storage()).status();
        assertThat(s.servers()).singleElement().satisfies(v -> {
          assertThat(v.nickname()).isEqualTo("alice");
          assertThat(v.connected()).isTrue();
        });
        assertThat(s.storage()).isPresent();
        assertThat(s.storage().get().usedBytes()).isEqualTo(node.storage().store().usedBytes());
        assertThat(s.storage().get().maxBytes()).hasValue(64L << 20);
        assertThat(s.mounts()).containsExactly(new NodeStatus.MountQueue("/mnt/a", 3, 4096,
            Optional.of("servers full")));
        assertThat(new NodeStatusReport(client, List::of).status().storage()).isEmpty();
      }
    }
  }
}
