package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.secrets;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.lease.LeaseDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads written with direct I/O on this machine's real disk: whole aligned blocks direct, the
 * unaligned ends buffered, in any order and with retried overlaps, give exactly the bytes
 * written; a conflicting rewrite of a directly written block is still caught.
 */
class DirectWritesTest {
  @TempDir Path dir;
  private LeaseDb leases;
  private SpaceBudget budget;
  private int alignment;

  @BeforeEach
  void open() throws Exception {
    leases = LeaseDb.open(dir.resolve("leases.db"), new FakeClock(), StoreFixture.LEASE);
    budget = new SpaceBudget(new StoreLimits(Long.MAX_VALUE, 0, Long.MAX_VALUE),
        () -> 1L << 40, leases);
    Files.createDirectories(dir.resolve("incoming"));
    alignment = DirectWrites.alignment(dir.resolve("incoming"), true);
  }

  @AfterEach
  void close() {
    leases.close();
  }

  @Test
  void theProbeFindsDirectIoOnThisDiskAndNowhereItIsTurnedOffOrMissing() throws Exception {
    String type = Files.getFileStore(dir).type();
    if (Set.of("ext4", "xfs").contains(type)) {
      assertThat(alignment).as("direct I/O on %s", type)
          .isEqualTo((int) Files.getFileStore(dir).getBlockSize());
    }
    assertThat(Files.list(dir.resolve("incoming"))).as("the probe file is gone").isEmpty();
    assertThat(DirectWrites.alignment(dir.resolve("incoming"), false)).isZero();
    try (FileSystem jimfs = Jimfs.newFileSystem(Configuration.unix())) {
      Path memory = Files.createDirectories(jimfs.getPath("/incoming"));
      assertThat(DirectWrites.alignment(memory, true)).isZero();
    }
  }

  private IncomingShare upload(String name, long size) throws Exception {
    return IncomingShare.create(key(name), size, ALICE, secrets(1),
        dir.resolve("incoming").resolve(name), budget.reserve(size), alignment);
  }

  private static org.cairnfs.storage.share.ShareKey key(String name) {
    return org.cairnfs.storage.share.ShareKey.immutable(StoreFixture.si(name.hashCode()), 0);
  }

  private static void write(IncomingShare s, byte[] all, int from, int to) throws Exception {
    s.write(from, ByteBuffer.wrap(all, from, to - from), 0);
  }

  private byte[] finish(IncomingShare s, String name) throws Exception {
    Path target = dir.resolve("shares").resolve(name);
    s.finish(target);
    return Files.readAllBytes(target);
  }

  @Test
  void sequentialRequestsOfAnySizeGiveTheBytesWritten() throws Exception {
    byte[] data = new byte[(1 << 20) + 1234];
    new Random(1).nextBytes(data);
    for (int request : new int[] {256 << 10, 43_691, 4096, 1}) {
      if (request == 1) {
        data = java.util.Arrays.copyOf(data, 9000); // byte by byte: no whole block at all
      }
      String name = "seq" + request;
      IncomingShare s = upload(name, data.length);
      for (int at = 0; at < data.length; at += request) {
        write(s, data, at, Math.min(data.length, at + request));
      }
      if (alignment > 0) {
        assertThat(s.writesDirect()).as("still direct after %d-byte requests", request).isTrue();
      }
      assertThat(finish(s, name)).isEqualTo(data);
    }
  }

  @Test
  void outOfOrderAndRetriedWritesGiveTheBytesWritten() throws Exception {
    byte[] data = new byte[300_001];
    new Random(2).nextBytes(data);
    IncomingShare s = upload("shuffled", data.length);
    write(s, data, 150_000, 300_001); // the second half first
    write(s, data, 5, 149_999);
    write(s, data, 100_000, 200_000); // a retry over both halves, same bytes
    write(s, data, 0, 5);
    write(s, data, 149_999, 150_000);
    assertThat(finish(s, "shuffled")).isEqualTo(data);
  }

  @Test
  void aConflictingRewriteOfADirectBlockIsRefused() throws Exception {
    byte[] data = new byte[64 << 10];
    new Random(3).nextBytes(data);
    IncomingShare s = upload("conflict", data.length);
    write(s, data, 0, data.length);
    byte[] other = data.clone();
    other[20_000] ^= 1;
    assertThatThrownBy(() -> write(s, other, 16_384, 32_768))
        .isInstanceOf(StoreException.class).hasMessageContaining("conflicts");
    assertThat(finish(s, "conflict")).isEqualTo(data);
  }

  @Test
  void aShareSmallerThanABlockIsWrittenBuffered() throws Exception {
    byte[] data = new byte[100];
    new Random(4).nextBytes(data);
    IncomingShare s = upload("small", data.length);
    assertThat(s.writesDirect()).isFalse();
    write(s, data, 0, 100);
    assertThat(finish(s, "small")).isEqualTo(data);
  }
}
