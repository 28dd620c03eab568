package org.cairnfs.fs.mutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.mutable.MutableKeys;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.storage.share.ShareKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutable files with servers away and shares damaged on disk. */
class MutableFaultsTest {
  @TempDir Path dir;
  TestGrid grid;
  MutableFiles alice;
  MutableFiles bob;

  @BeforeEach
  void start() throws Exception {
    grid = new TestGrid(dir, 10);
    alice = MutableFiles.on(grid.client(MutableFilesTest.FAST));
    bob = MutableFiles.on(grid.client(MutableFilesTest.FAST));
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  @Test
  void aNewerVersionLeftUnreadableByAStoppedWriterIsWaitedForThenWrittenOver() throws Exception {
    MutableWriteCap cap = alice.create("one".getBytes(StandardCharsets.UTF_8)).get();
    StorageIndex si = cap.storageIndex().orElseThrow();
    // A writer that stopped after two shares of version 5 (k = 3): readable never.
    TestServer first = grid.server(0);
    int held = first.store().shareSizes(si, org.cairnfs.storage.share.ShareKind.MUTABLE)
        .firstKey();
    var share = org.cairnfs.caps.mutable.MutableShare.parse(
        java.nio.file.Files.readAllBytes(first.slotPath(si, held)));
    MutableKeys keys = MutableKeys.recover(cap, share.encryptedSeed(), share.verifyingKey());
    byte[][] v5 = org.cairnfs.caps.mutable.MutableFileWriter.write(keys, 5,
        "lost".getBytes(StandardCharsets.UTF_8), alice.options().params(), new SecureRandom());
    for (TestServer s : grid.servers().subList(0, 2)) {
      int n = s.store().shareSizes(si, org.cairnfs.storage.share.ShareKind.MUTABLE).firstKey();
      try (var client = org.cairnfs.protocol.client.StorageClient.connect(TestGrid.CLIENT_OPTIONS,
          org.cairnfs.protocol.identity.NodeKey.generate(), "127.0.0.1", s.port(), s.nodeId())
          .get()) {
        client.writeSlotShare(si, n, new byte[32], new byte[32], v5[n].length, 0, v5[n]).get();
      }
    }
    assertThat(new String(bob.read(cap.readOnly()).get().contents(), StandardCharsets.UTF_8))
        .isEqualTo("one");
    long start = System.nanoTime();
    MutableVersion two = bob.overwrite(cap, "two".getBytes(StandardCharsets.UTF_8)).get();
    java.time.Duration waited = java.time.Duration.ofNanos(System.nanoTime() - start);
    assertThat(waited).as("waited for the unreadable version first")
        .isGreaterThanOrEqualTo(MutableFilesTest.FAST.stallTimeout().multipliedBy(2));
    assertThat(two.seqnum()).isEqualTo(6);
    assertThat(alice.read(cap.readOnly()).get()).isEqualTo(two);
  }

  @Test
  void aPublishThatCannotReachHappyServersFailsSayingWhy() throws Exception {
    grid.servers().subList(0, 4).forEach(TestServer::kill);
    assertThatThrownBy(() -> alice.create(new byte[100]).get())
        .isInstanceOf(ExecutionException.class).cause()
        .isInstanceOfSatisfying(org.cairnfs.fs.grid.HappinessException.class, e -> {
          assertThat(e.happiness()).isEqualTo(6);
          assertThat(e.getMessage()).contains("10 known, 6 connected", "seqnum 1");
        });
  }

  @Test
  void readsTheHighestRecoverableVersionAndTheNextPublishUpdatesEveryServer() throws Exception {
    MutableWriteCap cap = alice.create("one".getBytes(StandardCharsets.UTF_8)).get();
    List<TestServer> away = grid.servers().subList(0, 3);
    away.forEach(TestServer::kill);
    alice.overwrite(cap, "two".getBytes(StandardCharsets.UTF_8)).get();
    for (TestServer s : away) {
      s.start();
    }
    MutableVersion read = bob.read(cap.readOnly()).get();
    assertThat(new String(read.contents(), StandardCharsets.UTF_8)).isEqualTo("two");
    assertThat(read.seqnum()).isEqualTo(2);
    MutableVersion three = bob.overwrite(cap, "three".getBytes(StandardCharsets.UTF_8)).get();
    assertThat(three.seqnum()).isEqualTo(3);
    StorageIndex si = cap.storageIndex().orElseThrow();
    for (TestServer s : grid.servers()) {
      for (int n : s.store().shareSizes(si, org.cairnfs.storage.share.ShareKind.MUTABLE)
          .keySet()) {
        assertThat(s.store().slotSeqnum(ShareKey.mutable(si, n))).as("%s share %d", s, n)
            .hasValue(3);
      }
    }
  }

  @Test
  void aDamagedShareIsIgnoredAndAMissingFileIsReportedClearly() throws Exception {
    MutableWriteCap cap = alice.create(MutableFilesTest.random(5000, 9)).get();
    StorageIndex si = cap.storageIndex().orElseThrow();
    int damaged = 0;
    for (TestServer s : grid.servers().subList(0, 4)) {
      for (int n : s.store().shareSizes(si, org.cairnfs.storage.share.ShareKind.MUTABLE)
          .keySet()) {
        try (RandomAccessFile f = new RandomAccessFile(s.slotPath(si, n).toFile(), "rw")) {
          f.seek(100); // inside the verifying key or signature
          int b = f.read();
          f.seek(100);
          f.write(b ^ 1);
          damaged++;
        }
      }
    }
    assertThat(damaged).isEqualTo(4);
    assertThat(bob.read(cap.readOnly()).get().contents())
        .isEqualTo(MutableFilesTest.random(5000, 9));

    MutableWriteCap never = MutableKeys.generate(new SecureRandom()).writeCap();
    assertThatThrownBy(() -> bob.read(never.readOnly()).get())
        .isInstanceOf(ExecutionException.class).cause()
        .isInstanceOf(SlotUnreadableException.class).hasMessageContaining("no share found");
  }

}
