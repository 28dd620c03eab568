package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.BOB;
import static org.cairnfs.storage.store.StoreFixture.pattern;
import static org.cairnfs.storage.store.StoreFixture.secrets;
import static org.cairnfs.storage.store.StoreFixture.si;
import static org.cairnfs.storage.store.StoreFixture.slotShare;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.store.StoreException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reserved free space against a disk that really fills: a Jimfs of fixed size whose usable
 * space shrinks as files are written, so bytes promised to open uploads and bytes already
 * written are told apart the way a real disk shows them.
 */
class ReservedSpaceTest {
  private static final long DISK = 64L << 20;
  private static final long RESERVED = 4L << 20;
  private static final int BLOCK = 8192;

  @TempDir Path dbDir;
  private FileSystem fs;
  private LeaseDb leases;
  private ShareStore store;

  @BeforeEach
  void open() throws Exception {
    fs = Jimfs.newFileSystem(Configuration.unix().toBuilder().setBlockSize(BLOCK)
        .setMaxSize(DISK).build());
    Path dir = fs.getPath("/srv/cairn");
    Files.createDirectories(dir);
    leases = LeaseDb.open(dbDir.resolve("leases.db"), new FakeClock(), StoreFixture.LEASE);
    // The default: no max space, only the disk and the reserve limit uploads.
    store = ShareStore.open(dir, new StoreLimits(Long.MAX_VALUE, RESERVED, Long.MAX_VALUE),
        leases, FreeSpace.of(dir), StoreFixture.FAKE_CHECK);
  }

  @AfterEach
  void close() throws Exception {
    store.close();
    leases.close();
    fs.close();
  }

  private long usable() throws Exception {
    return Files.getFileStore(fs.getPath("/srv/cairn")).getUsableSpace();
  }

  /** The reproduction: five allocations, each just under the free space, used to all pass. */
  @Test
  void allocationsJustUnderFreeSpaceCannotTogetherOvercommitTheDisk() throws Exception {
    long free = store.freeBytes();
    assertThat(free).isEqualTo(usable() - RESERVED);
    long each = free - 1;
    assertThat(store.allocate(si(1), List.of(0), each, ALICE, secrets(1)).allocated())
        .containsExactly(0);
    assertThat(store.freeBytes()).as("the open upload's promise is counted").isEqualTo(1);
    for (int i = 2; i <= 5; i++) {
      int n = i;
      assertThatThrownBy(() -> store.allocate(si(n), List.of(0), each, BOB, secrets(n)))
          .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(Reason.SERVER_FULL))
          .hasMessageContaining("promised to uploads in progress")
          .hasMessageContaining("reserved " + RESERVED);
    }
    // A chunked slot write is refused the same way while the promise stands.
    assertThatThrownBy(() -> store.writeSlotChunk(si(9), 0, 2 * BLOCK, 0,
        ByteBuffer.wrap(slotShare(1, BLOCK)), BOB, secrets(9)))
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(Reason.SERVER_FULL));
    store.abort(ALICE, si(1), 0);
    assertThat(store.freeBytes()).isEqualTo(free);
    assertThat(store.allocate(si(2), List.of(0), each, BOB, secrets(2)).allocated())
        .containsExactly(0);
  }

  @Test
  void bytesAlreadyWrittenAreNotCountedTwice() throws Exception {
    long free = store.freeBytes();
    int size = 4 << 20;
    store.allocate(si(1), List.of(0), size, ALICE, secrets(1));
    assertThat(store.freeBytes()).isEqualTo(free - size);
    byte[] data = pattern(size, 3);
    long diskBefore = usable();
    store.write(ALICE, si(1), 0, 0, ByteBuffer.wrap(data, 0, size / 2));
    // Half is on disk now (the disk shows it) and half still promised: the same total.
    assertThat(usable()).isEqualTo(diskBefore - size / 2);
    assertThat(store.freeBytes()).isEqualTo(free - size);
    // Rewriting the same range (a retried chunk) changes nothing.
    store.write(ALICE, si(1), 0, 0, ByteBuffer.wrap(data, 0, size / 2));
    assertThat(store.freeBytes()).isEqualTo(free - size);
    store.write(ALICE, si(1), 0, size / 2, ByteBuffer.wrap(data, size / 2, size / 2));
    store.close(ALICE, si(1), 0);
    assertThat(store.freeBytes()).isEqualTo(free - size);
  }

  @Test
  void aStagedSlotVersionIsPromisedUntilWrittenAndFreedWhenDropped() throws Exception {
    long free = store.freeBytes();
    int size = 1 << 20;
    byte[] share = slotShare(1, size);
    store.writeSlotChunk(si(1), 0, size, 0, ByteBuffer.wrap(share, 0, size / 4), ALICE,
        secrets(1));
    assertThat(store.freeBytes()).isEqualTo(free - size);
    store.abortSlotWrite(ALICE, si(1), 0);
    assertThat(store.freeBytes()).isEqualTo(free);
    for (int off = 0; off < size; off += size / 4) {
      store.writeSlotChunk(si(1), 0, size, off, ByteBuffer.wrap(share, off, size / 4), ALICE,
          secrets(1));
    }
    assertThat(store.freeBytes()).isEqualTo(free - size);
    assertThat(store.slotSeqnum(org.cairnfs.storage.share.ShareKey.mutable(si(1), 0)))
        .hasValue(1);
  }
}
