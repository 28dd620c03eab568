package org.cairnfs.fs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.mutable.MutableFiles;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Repair of a small mutable slot with its verify cap. */
class SlotRepairEdgesTest {
  @TempDir Path dir;
  TestGrid grid;
  GridClient client;
  MutableFiles mutable;
  GridHealth health;
  MutableWriteCap cap;
  StorageIndex si;

  @BeforeEach
  void create() throws Exception {
    grid = new TestGrid(dir, 10);
    client = grid.client(ImmutableHealthTest.FAST);
    mutable = MutableFiles.on(client);
    health = GridHealth.create(client);
    byte[] contents = new byte[1000];
    new Random(13).nextBytes(contents);
    cap = mutable.create(contents).get();
    si = cap.storageIndex().orElseThrow();
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  TestServer holder(int share) {
    return grid.servers().stream().filter(s -> s.running()
        && Files.exists(s.slotPath(si, share))).findFirst().orElseThrow();
  }

  /** With fewer than k shares of any version, repair does nothing and says why. */
  @Test
  void aSlotWithoutKGoodSharesIsNotRepairedAndTheReportSaysWhy() throws Exception {
    for (int share = 2; share < 10; share++) {
      Files.delete(holder(share).slotPath(si, share));
    }
    HealthReport repaired = health.repair(cap.toString()).get();
    assertThat(repaired.recoverable()).isFalse();
    assertThat(repaired.repaired()).isFalse();
    assertThat(repaired.notes()).contains(
        "cannot repair: no version of this slot has k good shares");
  }
}
