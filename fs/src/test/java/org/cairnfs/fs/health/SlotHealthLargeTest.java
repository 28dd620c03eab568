package org.cairnfs.fs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.mutable.MutableParams;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.mutable.MutableFiles;
import org.cairnfs.fs.mutable.MutableOptions;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.message.WireLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Slots whose shares do not fit one answer: read whole in pieces, or fronts asked for small. */
class SlotHealthLargeTest {
  @TempDir Path dir;
  TestGrid grid;

  @AfterEach
  void stop() {
    grid.close();
  }

  static Path slotFile(TestGrid grid, StorageIndex si, int share) {
    return grid.servers().stream().map(s -> s.slotPath(si, share)).filter(Files::exists)
        .findFirst().orElseThrow();
  }

  /**
   * Shares over 1 MiB are verified from several reads; a bad byte in the last piece is found,
   * and a share cut short cannot be read whole: missing, not corrupt.
   */
  @Test
  void aLargeShareIsVerifiedInPiecesAndACutOneIsMissing() throws Exception {
    grid = new TestGrid(dir, 10);
    GridClient client = grid.client(ImmutableHealthTest.FAST);
    GridHealth health = GridHealth.create(client);
    byte[] big = new byte[3 * WireLimits.MAX_CHUNK + 300_000];
    new Random(5).nextBytes(big);
    MutableWriteCap cap = MutableFiles.on(client).create(big).get();
    StorageIndex si = cap.storageIndex().orElseThrow();
    HealthReport fresh = health.check(cap.toString(), true).get();
    assertThat(fresh.healthy()).as(fresh.format()).isTrue();

    Path one = slotFile(grid, si, 1);
    Path two = slotFile(grid, si, 2);
    long size = Damage.size(two);
    assertThat(size).isGreaterThan(WireLimits.MAX_CHUNK + SlotHealth.FRONT);
    Damage.flip(one, Damage.size(one) - 100);
    try (RandomAccessFile f = new RandomAccessFile(two.toFile(), "rw")) {
      f.setLength(size - 1000);
    }
    assertThat(health.check(cap.toString(), false).get().healthy()).isTrue(); // fronts intact
    HealthReport verified = health.check(cap.toString(), true).get();
    assertThat(verified.healthy()).isFalse();
    assertThat(verified.corruptShares()).containsExactly(1);
    assertThat(verified.missingShares()).containsExactly(2);
    assertThat(verified.shares()).filteredOn(s -> s.number() == 2).singleElement()
        .satisfies(s -> assertThat(s.reason()).startsWith("could not be read whole"));
  }

  /**
   * A server that answers the last piece of a large share with more bytes than asked: what
   * lies past the length the share's header gives is dropped, the share verifies, and the check
   * neither fails nor blames it.
   */
  @Test
  void bytesPastAShareEndAreDroppedWhenAServerAnswersMoreThanAsked() throws Exception {
    grid = new TestGrid(dir, 10);
    GridClient client = grid.client(ImmutableHealthTest.FAST);
    GridHealth health = GridHealth.create(client);
    byte[] big = new byte[3 * WireLimits.MAX_CHUNK + 300_000];
    new Random(8).nextBytes(big);
    MutableWriteCap cap = MutableFiles.on(client).create(big).get();
    StorageIndex si = cap.storageIndex().orElseThrow();
    TestServer liar = grid.servers().stream().filter(s -> Files.exists(s.slotPath(si, 4)))
        .findFirst().orElseThrow();
    liar.faults().padSlotTails(5000);
    HealthReport r = health.check(cap.toString(), true).get();
    assertThat(r.healthy()).as(r.format()).isTrue();
    assertThat(r.goodShares()).hasSize(10);
    assertThat(liar.faults().reads()).isGreaterThan(2); // front, then pieces
  }

  /**
   * Seventy shares of one slot on one server: their 16 KiB fronts exceed one answer, so the
   * check asks again for less, and finds them all.
   */
  @Test
  void manySharesOnOneServerAreAskedForWithASmallerFront() throws Exception {
    grid = new TestGrid(dir, 1);
    GridClient client = grid.client(ImmutableHealthTest.FAST.toBuilder()
        .params(EncodingParams.builder().k(1).happy(1).n(1).build()).build());
    GridHealth health = GridHealth.create(client);
    MutableFiles mutable = MutableFiles.on(client, new MutableOptions(
        new MutableParams(1, 70, 131_070), 1, MutableOptions.DEFAULT_MAX_SIZE,
        MutableOptions.DEFAULT_MAX_ATTEMPTS));
    byte[] contents = new byte[20_000];
    new Random(6).nextBytes(contents);
    MutableWriteCap cap = mutable.create(contents).get();
    TestServer only = grid.server(0);
    assertThat(Damage.size(only.slotPath(cap.storageIndex().orElseThrow(), 69)))
        .isGreaterThan(SlotHealth.FRONT);
    for (boolean verify : new boolean[] {false, true}) {
      HealthReport r = health.check(cap.toString(), verify).get();
      assertThat(r.healthy()).as(r.format()).isTrue();
      assertThat(r.found()).isEqualTo(70);
      assertThat(r.notes()).isEmpty();
    }
  }
}
