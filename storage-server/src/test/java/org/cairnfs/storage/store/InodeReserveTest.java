package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.secrets;
import static org.cairnfs.storage.store.StoreFixture.si;
import static org.cairnfs.storage.store.StoreFixture.slotShare;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.store.StoreException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Empty shares cost a disk inodes and no bytes: the store refuses new files once the free
 * inodes would fall below its reserve, so a flood of zero-size uploads cannot run the disk out
 * of inodes (which fails every program on it). The disk's counts are played here; the statvfs
 * binding itself is checked against this machine's real disk.
 */
class InodeReserveTest {
  private static final long TOTAL = 1_000_000;
  private static final long RESERVE = 50_000;

  @TempDir Path dbDir;
  private FileSystem fs;
  private LeaseDb leases;
  private ShareStore store;
  private volatile long freeInodes = TOTAL;

  @BeforeEach
  void open() throws Exception {
    fs = Jimfs.newFileSystem(Configuration.unix());
    Path dir = fs.getPath("/srv/cairn");
    Files.createDirectories(dir);
    leases = LeaseDb.open(dbDir.resolve("leases.db"), new FakeClock(), StoreFixture.LEASE);
    FreeSpace disk = new FreeSpace() {
      @Override
      public long usableBytes() {
        return 1L << 40;
      }

      @Override
      public Inodes inodes() {
        return new Inodes(freeInodes, TOTAL);
      }
    };
    store = ShareStore.open(dir, new StoreLimits(Long.MAX_VALUE, 0, Long.MAX_VALUE), leases,
        disk, StoreFixture.FAKE_CHECK);
  }

  @AfterEach
  void close() throws Exception {
    store.close();
    leases.close();
    fs.close();
  }

  @Test
  void theReserveIsFivePercentAtMost65536() {
    assertThat(SpaceBudget.inodeReserve(TOTAL)).isEqualTo(RESERVE);
    assertThat(SpaceBudget.inodeReserve(100)).isEqualTo(5);
    assertThat(SpaceBudget.inodeReserve(100_000_000)).isEqualTo(65_536);
  }

  @Test
  void zeroSizeSharesAreRefusedOnceTheFreeInodesReachTheReserve() throws Exception {
    freeInodes = RESERVE + 2;
    store.allocate(si(1), List.of(0), 0, ALICE, secrets(1));
    store.close(ALICE, si(1), 0);
    freeInodes = RESERVE + 1; // one file short of a share's two
    assertThatThrownBy(() -> store.allocate(si(2), List.of(0), 0, ALICE, secrets(2)))
        .isInstanceOfSatisfying(StoreException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.SERVER_FULL))
        .hasMessageContaining("inodes")
        .hasMessageContaining("reserve of " + RESERVE);
    // all or none: three shares need six files
    freeInodes = RESERVE + 5;
    assertThatThrownBy(() -> store.allocate(si(3), List.of(0, 1, 2), 100, ALICE, secrets(3)))
        .isInstanceOf(StoreException.class);
    assertThat(store.allocate(si(3), List.of(0, 1), 100, ALICE, secrets(3)).allocated())
        .containsExactly(0, 1);
  }

  @Test
  void aNewSlotIsRefusedToo() throws Exception {
    freeInodes = RESERVE;
    assertThatThrownBy(() -> store.writeSlotShare(si(4), 0, slotShare(1, 300), ALICE,
        secrets(4)))
        .isInstanceOfSatisfying(StoreException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.SERVER_FULL))
        .hasMessageContaining("inodes");
    freeInodes = TOTAL;
    assertThat(store.writeSlotShare(si(4), 0, slotShare(1, 300), ALICE, secrets(4)))
        .isEqualTo(1);
  }

  /**
   * The protocol writes slots in chunks (WRITE_SLOT_SHARE), never in one piece: that path must
   * keep the reserve too, or a client minting slot keys takes the last inodes.
   */
  @Test
  void aNewSlotWrittenInChunksIsRefusedToo() throws Exception {
    byte[] share = slotShare(1, 300);
    freeInodes = RESERVE + 1; // one file short of a new slot's two
    assertThatThrownBy(() -> store.writeSlotChunk(si(5), 0, share.length, 0,
        java.nio.ByteBuffer.wrap(share), ALICE, secrets(5)))
        .isInstanceOfSatisfying(StoreException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.SERVER_FULL))
        .hasMessageContaining("inodes");
    assertThat(store.isWriteOpen(ALICE, si(5), 0, true)).isFalse();
    freeInodes = TOTAL;
    assertThat(store.writeSlotChunk(si(5), 0, share.length, 0,
        java.nio.ByteBuffer.wrap(share, 0, 100), ALICE, secrets(5))).isEmpty();
    assertThat(store.writeSlotChunk(si(5), 0, share.length, 100,
        java.nio.ByteBuffer.wrap(share, 100, 200), ALICE, secrets(5))).hasValue(1);
  }

  /** The statvfs binding against the disk under this test's temp dir. */
  @Test
  void theRealDiskReportsItsInodes(@TempDir Path real) throws IOException {
    Inodes inodes = Inodes.of(real);
    String type = Files.getFileStore(real).type();
    if (Set.of("ext2", "ext3", "ext4", "xfs").contains(type)) {
      assertThat(inodes.unlimited()).as("%s has a fixed number of inodes", type).isFalse();
    }
    if (!inodes.unlimited()) {
      assertThat(inodes.free()).isPositive().isLessThanOrEqualTo(inodes.total());
      Path files = Files.createDirectory(real.resolve("many"));
      for (int i = 0; i < 100; i++) {
        Files.createFile(files.resolve("f" + i));
      }
      assertThat(Inodes.of(real).free()).as("100 new files use inodes")
          .isLessThan(inodes.free());
    }
    assertThatThrownBy(() -> Inodes.of(real.resolve("missing")))
        .isInstanceOf(IOException.class).hasMessageContaining("missing");
  }
}
