package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.pattern;
import static org.cairnfs.storage.store.StoreFixture.secrets;
import static org.cairnfs.storage.store.StoreFixture.si;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.share.ShareKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A closed upload gives back its file descriptor. On a real disk (Jimfs has no descriptors), a
 * store that closes many uploads must hold no more open files afterwards than before: a server
 * leaking one per share would hit its descriptor limit after some thousands of uploads.
 */
class ClosedUploadDescriptorTest {
  static final Path FDS = Paths.get("/proc/self/fd");
  static final int UPLOADS = 30;

  @TempDir Path dir;

  static long openDescriptors() throws Exception {
    try (Stream<Path> fds = Files.list(FDS)) {
      return fds.count();
    }
  }

  @Test
  void closingManyUploadsLeavesNoDescriptorOpen() throws Exception {
    assumeThat(Files.isDirectory(FDS)).as("a Linux /proc").isTrue();
    try (LeaseDb leases = LeaseDb.open(dir.resolve("leases.db"), new FakeClock(),
        StoreFixture.LEASE)) {
      ShareStore store = ShareStore.open(dir.resolve("storage"), new StoreLimits(1L << 30, 0,
          1 << 20), leases, () -> 1L << 40, AcceptingSlotCheck.INSTANCE);
      try {
        // One upload first, so that lazily opened files (directories, the commit thread's)
        // are open before counting.
        upload(store, 0);
        long before = openDescriptors();
        for (int i = 1; i <= UPLOADS; i++) {
          upload(store, i);
        }
        long after = openDescriptors();
        assertThat(after - before).as("descriptors left open by %d closed uploads", UPLOADS)
            .isLessThan(UPLOADS / 2);
        assertThat(store.read(ShareKey.immutable(si(UPLOADS % 256), UPLOADS / 256), 0, 64))
            .isEqualTo(pattern(64, UPLOADS));
      } finally {
        store.close();
      }
    }
  }

  private static void upload(ShareStore store, int i) throws Exception {
    int shareNumber = i / 256;
    store.allocate(si(i % 256), List.of(shareNumber), 64, ALICE, secrets(1));
    store.write(ALICE, si(i % 256), shareNumber, 0, ByteBuffer.wrap(pattern(64, i)));
    store.close(ALICE, si(i % 256), shareNumber);
  }
}
