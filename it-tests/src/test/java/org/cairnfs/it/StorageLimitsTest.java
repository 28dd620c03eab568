package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.client.ServerFullException;
import org.cairnfs.protocol.client.ShareTooBigException;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Space limits of a storage server process configured through {@code cairn create-node}:
 * max-space caps what it promises, reserved-space keeps disk free, and both refusals reach the
 * client as {@link ServerFullException} saying which limit.
 */
class StorageLimitsTest {
  private static final int KIB = 1024;

  @TempDir
  static Path tmp;

  private static ChildJvms jvms;
  private static Path smallDir;
  private static int smallPort;
  private static Path reservedDir;
  private static int reservedPort;
  private static final NodeKey CLIENT = NodeKey.generate();

  @BeforeAll
  static void startServers() throws Exception {
    jvms = new ChildJvms(tmp.resolve("logs"));
    String introducer = NodeDirs.absentIntroducerUrl();
    smallDir = NodeDirs.createNode(tmp.resolve("small"), introducer,
        "--max-space", "1M", "--reserved-space", "0");
    // More than any test machine's free disk: nothing may be stored.
    reservedDir = NodeDirs.createNode(tmp.resolve("reserved"), introducer,
        "--reserved-space", "1P");
    List<CairnProcess> nodes = jvms.runNodes(List.of(smallDir, reservedDir), Duration.ofSeconds(60));
    smallPort = ChildJvms.storagePort(nodes.get(0));
    reservedPort = ChildJvms.storagePort(nodes.get(1));
  }

  @AfterAll
  static void stopServers() throws InterruptedException {
    if (jvms != null) {
      jvms.close();
    }
  }

  @Test
  void maxSpaceRefusesAllocationsBeyondIt() throws Exception {
    try (StorageClient c = Shares.connect(CLIENT, smallDir, smallPort)) {
      StorageIndex first = Shares.randomIndex();
      byte[] data = Shares.content(1, 600 * KIB);
      Shares.upload(c, first, 0, data, 64 * KIB);

      // 600 KiB held + 600 KiB more > 1 MiB.
      assertThatThrownBy(() -> Shares.allocate(c, Shares.randomIndex(), 0, 600 * KIB))
          .isInstanceOf(ServerFullException.class)
          .hasMessageContaining("max space");
      // All shares of one allocation fit or none is opened.
      StorageIndex pair = Shares.randomIndex();
      assertThatThrownBy(() -> Shares.get(c.allocate(pair, Shares.secret(), Shares.secret(),
          300 * KIB, java.util.Set.of(0, 1))))
          .isInstanceOf(ServerFullException.class);
      assertThat(Shares.get(c.shareNumbers(pair))).isEmpty();

      // What is left is still usable, to the byte, and then nothing more.
      Shares.allocate(c, Shares.randomIndex(), 0, 424 * KIB);
      assertThat(Shares.get(c.serverInfo()).freeSpace()).isZero();
      assertThatThrownBy(() -> Shares.allocate(c, Shares.randomIndex(), 0, 1))
          .isInstanceOf(ServerFullException.class)
          .hasMessageContaining("max space");

      // A single share over the limit is a different refusal: it can never fit here.
      assertThatThrownBy(() -> Shares.allocate(c, Shares.randomIndex(), 0, 2 << 20))
          .isInstanceOf(ShareTooBigException.class);

      // The refusals changed nothing already stored.
      assertThat(Shares.read(c, first, 0, data.length)).isEqualTo(data);
    }
  }

  @Test
  void reservedSpaceAboveFreeDiskRefusesEveryAllocation() throws Exception {
    try (StorageClient c = Shares.connect(CLIENT, reservedDir, reservedPort)) {
      assertThat(Shares.get(c.serverInfo()).freeSpace()).isZero();
      // Zero bytes too: an open upload holds a file and is charged at least 4 KiB
      // (storage-layout.md section 5), so an empty share cannot slip past the reserve.
      for (long size : new long[] {0, 1, 64 * KIB, 1 << 20}) {
        StorageIndex si = Shares.randomIndex();
        assertThatThrownBy(() -> Shares.allocate(c, si, 0, size))
            .as("allocating %d bytes", size)
            .isInstanceOf(ServerFullException.class)
            .hasMessageContaining("reserved");
        assertThat(Shares.get(c.shareNumbers(si))).isEmpty();
      }
    }
  }
}
