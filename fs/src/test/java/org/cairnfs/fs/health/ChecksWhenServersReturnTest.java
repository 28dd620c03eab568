package org.cairnfs.fs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.grid.UploadResult;
import org.cairnfs.fs.mutable.MutableFiles;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.storage.share.ShareKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A check right after an outage: the servers holding some shares restarted while this client
 * still backs off from them. The check asks them once more ({@link ServerSurvey}) and finds the
 * file healthy, so a repair places nothing (before, their shares counted as missing).
 */
class ChecksWhenServersReturnTest {
  static final EncodingParams PARAMS =
      EncodingParams.builder().k(2).happy(4).n(4).segmentSize(16 * 1024).build();
  static final GridConfig CONFIG = GridConfig.builder().params(PARAMS)
      .readTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  TestGrid grid;

  @AfterEach
  void close() {
    grid.close();
  }

  @Test
  void anImmutableFileWhoseHoldersRestartedChecksHealthyAndRepairsNothing() throws Exception {
    grid = new TestGrid(dir, 5);
    GridClient client = grid.slowToRetryClient(CONFIG);
    byte[] data = new byte[50_000];
    new Random(6).nextBytes(data);
    UploadResult r = client.upload(PlaintextSource.of(data)).get(30, TimeUnit.SECONDS);
    Set<NodeId> restarted = new HashSet<>(r.placement().get(0));
    restarted.addAll(r.placement().get(1));
    assertThat(restarted).hasSize(2);
    grid.restartWhileConnected(client, restarted);
    assertHealthyAndRepairedNothing(GridHealth.create(client), r.cap().toString());
  }

  @Test
  void aMutableFileWhoseHoldersRestartedChecksHealthyAndRepairsNothing() throws Exception {
    grid = new TestGrid(dir, 5);
    GridClient client = grid.slowToRetryClient(CONFIG);
    MutableWriteCap cap = MutableFiles.on(client).create(new byte[] {4, 5, 6})
        .get(30, TimeUnit.SECONDS);
    Set<NodeId> restarted = new HashSet<>();
    for (TestServer s : grid.servers()) {
      if (!s.store().shareSizes(cap.storageIndex().orElseThrow(), ShareKind.MUTABLE).isEmpty()
          && restarted.size() < 2) {
        restarted.add(s.nodeId());
      }
    }
    assertThat(restarted).hasSize(2);
    grid.restartWhileConnected(client, restarted);
    assertHealthyAndRepairedNothing(GridHealth.create(client), cap.toString());
  }

  private void assertHealthyAndRepairedNothing(GridHealth health, String cap) throws Exception {
    long before = bytesStored();
    HealthReport check = health.check(cap, false).get(30, TimeUnit.SECONDS);
    assertThat(check.healthy()).as(check.format()).isTrue();
    assertThat(check.missingShares()).isEmpty();
    HealthReport repair = health.repair(cap).get(30, TimeUnit.SECONDS);
    assertThat(repair.healthy()).as(repair.format()).isTrue();
    assertThat(bytesStored()).as("bytes the servers received").isEqualTo(before);
  }

  private long bytesStored() {
    return grid.servers().stream().mapToLong(s -> s.faults().bytesReceived()).sum();
  }
}
