package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.BOB;
import static org.cairnfs.storage.store.StoreFixture.pattern;
import static org.cairnfs.storage.store.StoreFixture.secrets;
import static org.cairnfs.storage.store.StoreFixture.si;
import static org.cairnfs.storage.store.StoreFixture.slotShare;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Stream;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.share.ShareKind;
import org.cairnfs.storage.lease.ShareCharge;
import org.cairnfs.storage.store.StoreException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShareStoreTest {
  static final StorageIndex SI = si(1);
  @TempDir Path dbDir;
  StoreFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new StoreFixture(dbDir, new StoreLimits(1 << 20, 1000, 100_000));
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  static void await(CyclicBarrier barrier) {
    try {
      barrier.await();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Integer> allShareNumbers() {
    return java.util.stream.IntStream.rangeClosed(0, ShareKey.MAX_SHARE_NUMBER).boxed().toList();
  }

  /** The regular files in the incoming area. */
  List<Path> incomingFiles() throws java.io.IOException {
    try (Stream<Path> files = Files.walk(f.store.layout().incomingDir())) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  static Reason reasonOf(Throwable t) {
    return ((StoreException) t).reason();
  }

  @Nested
  class Upload {
    @Test
    void roundTripsThroughIncomingIntoThePrefixTree() throws Exception {
      byte[] data = pattern(5000, 3);
      f.upload(SI, 4, data, ALICE);
      assertThat(f.store.read(ShareKey.immutable(SI, 4), 0, 5000)).isEqualTo(data);
      assertThat(f.store.read(ShareKey.immutable(SI, 4), 4990, 100)).hasSize(10);
      assertThat(f.store.read(ShareKey.immutable(SI, 4), 9000, 100)).isEmpty();
      String text = SI.toString();
      assertThat(f.storageDir.resolve("shares/" + text.substring(0, 2) + "/" + text + "/4"))
          .exists();
      // nothing left behind, not even an empty directory (one per upload would pile up)
      try (Stream<Path> incoming = Files.list(f.store.layout().incomingDir())) {
        assertThat(incoming).isEmpty();
      }
      assertThat(f.store.heldShares(SI)).containsExactly(4);
      assertThat(f.store.shareSizes(SI, ShareKind.IMMUTABLE)).containsEntry(4, 5000L);
    }

    @Test
    void incomingSharesAreInvisibleToReaders() throws Exception {
      f.store.allocate(SI, List.of(0), 10, ALICE, secrets(1));
      f.store.write(ALICE, SI, 0, 0, ByteBuffer.wrap(pattern(10, 1)));
      assertThat(f.store.heldShares(SI)).isEmpty();
      assertThatThrownBy(() -> f.store.read(ShareKey.immutable(SI, 0), 0, 10))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND));
    }

    @Test
    void closeRefusesAnIncompleteShareAndKeepsItOpen() throws Exception {
      f.store.allocate(SI, List.of(0), 10, ALICE, secrets(1));
      f.store.write(ALICE, SI, 0, 0, ByteBuffer.wrap(pattern(6, 1)));
      assertThatThrownBy(() -> f.store.close(ALICE, SI, 0))
          .hasMessageContaining("6 of 10 bytes")
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
      f.store.write(ALICE, SI, 0, 6, ByteBuffer.wrap(pattern(10, 1), 6, 4));
      f.store.close(ALICE, SI, 0);
      assertThat(f.store.read(ShareKey.immutable(SI, 0), 0, 10)).isEqualTo(pattern(10, 1));
    }

    @Test
    void overlappingWritesMustAgree() throws Exception {
      f.store.allocate(SI, List.of(0), 10, ALICE, secrets(1));
      f.store.write(ALICE, SI, 0, 0, ByteBuffer.wrap(pattern(10, 1), 0, 8));
      f.store.write(ALICE, SI, 0, 4, ByteBuffer.wrap(pattern(10, 1), 4, 6)); // a retry: same bytes
      assertThatThrownBy(() -> f.store.write(ALICE, SI, 0, 2, ByteBuffer.wrap(new byte[3])))
          .hasMessageContaining("conflicts");
      f.store.close(ALICE, SI, 0);
      assertThat(f.store.read(ShareKey.immutable(SI, 0), 0, 10)).isEqualTo(pattern(10, 1));
    }

    @Test
    void badOffsetsLengthsAndShareNumbersAreRefused() throws Exception {
      f.store.allocate(SI, List.of(0), 10, ALICE, secrets(1));
      assertThatThrownBy(() -> f.store.write(ALICE, SI, 0, 5, ByteBuffer.wrap(new byte[6])))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
      assertThatThrownBy(() -> f.store.write(ALICE, SI, 0, -1, ByteBuffer.wrap(new byte[1])))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
      assertThatThrownBy(() -> f.store.write(ALICE, SI, 0, Long.MAX_VALUE,
          ByteBuffer.wrap(new byte[1])))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
      assertThatThrownBy(() -> f.store.allocate(SI, List.of(256), 10, ALICE, secrets(1)))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
      assertThatThrownBy(() -> f.store.allocate(SI, List.of(1), -5, ALICE, secrets(1)))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
      assertThatThrownBy(() -> f.store.read(ShareKey.immutable(SI, 0), -1, 1))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
      assertThatThrownBy(() -> f.store.read(ShareKey.immutable(SI, 0), 0,
          ShareStore.MAX_READ_LENGTH + 1))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
      assertThatThrownBy(() -> f.store.write(ALICE, SI, -3, 0, ByteBuffer.wrap(new byte[1])))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
    }

    @Test
    void onlyTheAllocatingOwnerMayWriteCloseOrAbort() throws Exception {
      f.store.allocate(SI, List.of(0), 1, ALICE, secrets(1));
      assertThatThrownBy(() -> f.store.write(BOB, SI, 0, 0, ByteBuffer.wrap(new byte[1])))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND));
      assertThatThrownBy(() -> f.store.abort(BOB, SI, 0))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND));
      assertThat(f.store.allocate(SI, List.of(0), 1, BOB, secrets(2)).allocated()).isEmpty();
    }

    @Test
    void allocateReportsHeldSharesAndLeasesThem() throws Exception {
      f.upload(SI, 1, pattern(100, 1), ALICE);
      Allocation a = f.store.allocate(SI, List.of(1, 2), 100, BOB, secrets(9));
      assertThat(a.alreadyHeld()).containsExactly(1);
      assertThat(a.allocated()).containsExactly(2);
      assertThat(f.store.ownerBytes(BOB)).isEqualTo(ShareCharge.of(100));
    }

    @Test
    void abortFreesTheReservationAndTheIncomingFile() throws Exception {
      // Sizes above the minimum charge of an open upload, so each is charged its size.
      f.store.allocate(SI, List.of(0, 1), 5000, ALICE, secrets(1));
      assertThat(f.store.usedBytes()).isEqualTo(10_000);
      f.store.abort(ALICE, SI, 0);
      assertThat(f.store.usedBytes()).isEqualTo(5000);
      assertThat(incomingFiles()).hasSize(1);
      assertThatThrownBy(() -> f.store.close(ALICE, SI, 0))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND));
    }
  }

  @Nested
  class Crash {
    @Test
    void aCrashMidUploadLeavesNoPartialShareAndCleansIncoming() throws Exception {
      f.upload(SI, 0, pattern(50, 1), ALICE);
      f.store.allocate(SI, List.of(1), 50, ALICE, secrets(1));
      f.store.write(ALICE, SI, 1, 0, ByteBuffer.wrap(pattern(20, 2)));
      f.crashAndReopen();
      assertThat(f.store.heldShares(SI)).containsExactly(0);
      assertThat(f.store.read(ShareKey.immutable(SI, 0), 0, 50)).isEqualTo(pattern(50, 1));
      try (Stream<Path> incoming = Files.list(f.storageDir.resolve("shares/incoming"))) {
        assertThat(incoming).isEmpty();
      }
      assertThat(f.store.usedBytes()).isEqualTo(ShareCharge.of(50));
      assertThatThrownBy(() -> f.store.write(ALICE, SI, 1, 20, ByteBuffer.wrap(new byte[1])))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND));
    }

    @Test
    void aShareWithoutRecordIsAdoptedByTheNextAllocate() throws Exception {
      // As after a crash between the rename and the database commit.
      String text = SI.toString();
      Path dir = Files.createDirectories(
          f.storageDir.resolve("shares/" + text.substring(0, 2) + "/" + text));
      Files.write(dir.resolve("3"), pattern(77, 1));
      Allocation a = f.store.allocate(SI, List.of(3), 77, ALICE, secrets(1));
      assertThat(a.alreadyHeld()).containsExactly(3);
      assertThat(f.store.usedBytes()).isEqualTo(ShareCharge.of(77));
      assertThat(f.store.ownerBytes(ALICE)).isEqualTo(ShareCharge.of(77));
    }
  }

  @Nested
  class Space {
    @Test
    void maxSpaceRefusesAllocationWithTheReason() throws Exception {
      f.store.allocate(SI, List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), 100_000, ALICE, secrets(1));
      assertThatThrownBy(() -> f.store.allocate(si(2), List.of(0), 100_000, ALICE, secrets(1)))
          .hasMessageContaining("max space")
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.SERVER_FULL));
      assertThat(f.store.allocate(si(2), List.of(0), 48_576, ALICE, secrets(1)).allocated())
          .containsExactly(0);
    }

    @Test
    void anAllocationRefusedForSpaceGivesBackItsOpenWritePlaces() throws Exception {
      f.limits = new StoreLimits(1 << 20, 1000, 100_000).withOpenWriteCaps(2, 2);
      f.crashAndReopen();
      f.freeBytes = 1000; // all of it reserved
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> f.store.allocate(SI, List.of(0, 1), 100, ALICE, secrets(1)))
            .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.SERVER_FULL));
      }
      f.freeBytes = 1L << 40;
      assertThat(f.store.allocate(SI, List.of(0, 1), 10, ALICE, secrets(1)).allocated())
          .containsExactly(0, 1);
    }

    @Test
    void reservedFreeSpaceIsRespected() throws Exception {
      f.freeBytes = 10_000;
      assertThatThrownBy(() -> f.store.allocate(SI, List.of(0), 9001, ALICE, secrets(1)))
          .hasMessageContaining("reserved 1000")
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.SERVER_FULL));
      assertThat(f.store.allocate(SI, List.of(0), 9000, ALICE, secrets(1)).allocated())
          .containsExactly(0);
    }

    @Test
    void maxShareSizeIsEnforced() {
      assertThatThrownBy(() -> f.store.allocate(SI, List.of(0), 100_001, ALICE, secrets(1)))
          .hasMessageContaining("100001")
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.SHARE_TOO_BIG));
      assertThatThrownBy(() -> f.store.writeSlotShare(SI, 0, new byte[100_001], ALICE,
          secrets(1)))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.SHARE_TOO_BIG));
    }

    @Test
    void anOpenOrClosedShareIsChargedAtLeastTheMinimum() throws Exception {
      f.store.allocate(SI, List.of(0, 1), 0, ALICE, secrets(1));
      f.store.allocate(si(2), List.of(0), 10, ALICE, secrets(1));
      f.store.allocate(si(3), List.of(0), 5000, ALICE, secrets(1));
      assertThat(f.store.usedBytes()).isEqualTo(3 * ShareCharge.MIN_BYTES + 5000);
      f.store.close(ALICE, SI, 0);
      f.store.write(ALICE, si(2), 0, 0, ByteBuffer.wrap(pattern(10, 1)));
      f.store.close(ALICE, si(2), 0);
      f.store.write(ALICE, si(3), 0, 0, ByteBuffer.wrap(pattern(5000, 1)));
      f.store.close(ALICE, si(3), 0);
      assertThat(f.store.usedBytes()).isEqualTo(3 * ShareCharge.MIN_BYTES + 5000);
      f.store.abort(ALICE, SI, 1);
      assertThat(f.store.usedBytes()).isEqualTo(2 * ShareCharge.MIN_BYTES + 5000);
      assertThat(f.store.ownerBytes(ALICE)).isEqualTo(2 * ShareCharge.MIN_BYTES + 5000);
    }

    @Test
    void zeroSizeAllocationsCannotOpenUnboundedFiles() throws Exception {
      f.limits = new StoreLimits(100_000, 0, 1000);
      f.crashAndReopen();
      // 24 minimum charges fit in 100 000 bytes, 256 do not: the whole allocate is refused.
      assertThatThrownBy(() -> f.store.allocate(SI, allShareNumbers(), 0, ALICE, secrets(1)))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.SERVER_FULL));
      assertThat(f.store.usedBytes()).isZero();
      try (Stream<Path> files = Files.walk(f.store.layout().incomingDir())) {
        assertThat(files.filter(Files::isRegularFile)).isEmpty();
      }
    }

    @Test
    void theServerWideOpenWriteCapRefusesWithBusyAndFreesOnCloseOrAbort() throws Exception {
      f.limits = new StoreLimits(1 << 20, 0, 100_000).withOpenWriteCaps(3, 3);
      f.crashAndReopen();
      f.store.allocate(SI, List.of(0, 1), 0, ALICE, secrets(1));
      f.store.writeSlotChunk(SI, 0, 100, 0, ByteBuffer.wrap(slotShare(1, 100), 0, 50), ALICE,
          secrets(1));
      assertThatThrownBy(() -> f.store.allocate(si(2), List.of(0), 0, BOB, secrets(2)))
          .hasMessageContaining("3 open uploads")
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BUSY));
      assertThatThrownBy(() -> f.store.writeSlotChunk(si(2), 0, 100, 0,
          ByteBuffer.wrap(slotShare(1, 100), 0, 50), BOB, secrets(2)))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BUSY));
      f.store.close(ALICE, SI, 0);
      assertThat(f.store.allocate(si(2), List.of(0), 0, BOB, secrets(2)).allocated())
          .containsExactly(0);
      f.store.abort(ALICE, SI, 1);
      f.store.abortSlotWrite(ALICE, SI, 0);
      assertThat(f.store.allocate(si(3), List.of(0, 1), 0, BOB, secrets(2)).allocated())
          .containsExactly(0, 1);
    }

    @Test
    void usedBytesCountsHeldAndIncoming() throws Exception {
      f.upload(SI, 0, pattern(300, 1), ALICE);
      f.store.allocate(SI, List.of(1), 5000, BOB, secrets(2));
      assertThat(f.store.usedBytes()).isEqualTo(ShareCharge.of(300) + 5000);
      assertThat(f.store.ownerBytes(ALICE)).isEqualTo(ShareCharge.of(300));
      assertThat(f.store.ownerBytes(BOB)).isZero();
    }
  }

  @Nested
  class Paths {
    @Test
    void everyFileStaysUnderTheSharesDir() throws Exception {
      for (int n : new int[] {0, 9, 255}) {
        for (StorageIndex index : List.of(si(0), si(0xff), si(0x2e))) {
          ShareKey key = ShareKey.immutable(index, n);
          ShareLayout layout = f.store.layout();
          Path share = layout.sharePath(key);
          assertThat(share.normalize()).isEqualTo(share);
          assertThat(share.startsWith(f.storageDir.resolve("shares"))).isTrue();
          assertThat(share.getNameCount()).isEqualTo(f.storageDir.getNameCount() + 4);
          for (Path p : List.of(layout.incomingPath(key, 7),
              layout.slotTempPath(ShareKey.mutable(index, n), 7))) {
            assertThat(p.normalize()).isEqualTo(p);
            assertThat(p.getParent()).isEqualTo(layout.incomingDir()); // flat
          }
        }
      }
    }

    @Test
    void strayFilesInTheTreeAreIgnored() throws Exception {
      f.upload(SI, 0, pattern(10, 1), ALICE);
      Path dir = f.store.layout().indexDir(SI);
      Files.write(dir.resolve("..evil"), new byte[1]);
      Files.write(dir.resolve("m1.new"), new byte[1]);
      assertThat(f.store.heldShares(SI)).containsExactly(0);
    }
  }

  @Nested
  class Slots {
    @Test
    void newVersionsReplaceTheOldAtomically() throws Exception {
      assertThat(f.store.writeSlotShare(SI, 2, slotShare(1, 100), ALICE, secrets(1))).isEqualTo(1);
      assertThat(f.store.writeSlotShare(SI, 2, slotShare(5, 60), ALICE, secrets(1))).isEqualTo(5);
      assertThat(f.store.read(ShareKey.mutable(SI, 2), 0, 1000)).isEqualTo(slotShare(5, 60));
      assertThat(f.store.shareSizes(SI, ShareKind.MUTABLE)).containsOnlyKeys(2);
      assertThat(f.store.heldShares(SI)).isEmpty();
      assertThat(f.store.usedBytes()).isEqualTo(ShareCharge.of(60));
      assertThat(f.store.ownerBytes(ALICE)).isEqualTo(ShareCharge.of(60));
      assertThat(f.leases.find(ShareKey.mutable(SI, 2)).orElseThrow().seqnum()).isEqualTo(5);
    }

    @Test
    void aRejectedWriteLeavesTheOldVersionIntact() throws Exception {
      f.store.writeSlotShare(SI, 0, slotShare(3, 100), ALICE, secrets(1));
      assertThatThrownBy(() -> f.store.writeSlotShare(SI, 0, slotShare(3, 50), ALICE,
          secrets(1)))
          .hasMessageContaining("not above 3")
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.REJECTED));
      byte[] forged = slotShare(9, 50);
      forged[0] = (byte) 0xEE;
      assertThatThrownBy(() -> f.store.writeSlotShare(SI, 0, forged, BOB, secrets(2)))
          .hasMessageContaining("bad signature");
      assertThat(f.store.read(ShareKey.mutable(SI, 0), 0, 1000)).isEqualTo(slotShare(3, 100));
      assertThat(f.store.usedBytes()).isEqualTo(ShareCharge.of(100));
      assertThat(f.store.ownerBytes(BOB)).isZero();
    }

    @Test
    void chunkedVersionsBecomeVisibleOnlyWhenComplete() throws Exception {
      byte[] v = slotShare(4, 90);
      assertThat(f.store.writeSlotChunk(SI, 1, 90, 0, ByteBuffer.wrap(v, 0, 40), ALICE,
          secrets(1))).isEmpty();
      assertThat(f.store.shareSizes(SI, ShareKind.MUTABLE)).isEmpty();
      assertThat(f.store.usedBytes()).isEqualTo(ShareCharge.of(90));
      assertThatThrownBy(() -> f.store.writeSlotChunk(SI, 1, 90, 50,
          ByteBuffer.wrap(v, 50, 40), ALICE, secrets(1)))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
      assertThat(f.store.usedBytes()).isZero();
      f.store.writeSlotChunk(SI, 1, 90, 0, ByteBuffer.wrap(v, 0, 40), ALICE, secrets(1));
      assertThat(f.store.writeSlotChunk(SI, 1, 90, 40, ByteBuffer.wrap(v, 40, 50), ALICE,
          secrets(1))).hasValue(4);
      assertThat(f.store.read(ShareKey.mutable(SI, 1), 0, 100)).isEqualTo(v);
      assertThat(f.store.slotSeqnum(ShareKey.mutable(SI, 1))).hasValue(4);
      assertThat(f.store.usedBytes()).isEqualTo(ShareCharge.of(90));
      f.store.writeSlotShare(SI, 1, slotShare(5, 60), ALICE, secrets(1));
      try (Stream<Path> incoming = Files.list(f.store.layout().incomingDir())) {
        assertThat(incoming).as("no staging file or directory is left").isEmpty();
      }
    }

    @Test
    void slotAndImmutableSharesOfOneIndexCoexist() throws Exception {
      f.upload(SI, 0, pattern(10, 1), ALICE);
      f.store.writeSlotShare(SI, 0, slotShare(1, 20), ALICE, secrets(1));
      assertThat(f.store.read(ShareKey.immutable(SI, 0), 0, 100)).isEqualTo(pattern(10, 1));
      assertThat(f.store.read(ShareKey.mutable(SI, 0), 0, 100)).isEqualTo(slotShare(1, 20));
    }

    @Test
    void racingRestartsOfOneSlotWriteLeakNoReservationOrFile() throws Exception {
      // Two connections of one node restart the same chunked write at once, and one of them
      // also sends a chunk that does not follow (discarding the version it finds).
      int rounds = 300;
      CyclicBarrier barrier = new CyclicBarrier(2);
      List<Throwable> unexpected = new CopyOnWriteArrayList<>();
      Runnable restart = () -> {
        try {
          f.store.writeSlotChunk(SI, 0, 1000, 0, ByteBuffer.wrap(new byte[10]), ALICE,
              secrets(1));
        } catch (StoreException e) {
          // a refusal is fine; only leaks matter
        } catch (Throwable e) {
          unexpected.add(e);
        }
      };
      Thread a = new Thread(() -> {
        for (int i = 0; i < rounds; i++) {
          await(barrier);
          restart.run();
        }
      });
      Thread b = new Thread(() -> {
        for (int i = 0; i < rounds; i++) {
          await(barrier);
          restart.run();
          try {
            f.store.writeSlotChunk(SI, 0, 1000, 999, ByteBuffer.wrap(new byte[1]), ALICE,
                secrets(1));
          } catch (StoreException e) {
            // out of order: discards
          } catch (Throwable e) {
            unexpected.add(e);
          }
        }
      });
      a.start();
      b.start();
      a.join();
      b.join();
      f.store.abortSlotWrite(ALICE, SI, 0);
      assertThat(unexpected).isEmpty();
      assertThat(f.store.usedBytes()).isZero();
      try (Stream<Path> files = Files.walk(f.store.layout().incomingDir())) {
        assertThat(files.filter(Files::isRegularFile)).isEmpty();
      }
    }

    @Test
    void growthBeyondMaxSpaceIsRefused() throws Exception {
      f.limits = new StoreLimits(6000, 0, 10_000);
      f.crashAndReopen();
      f.store.writeSlotShare(SI, 0, slotShare(1, 5000), ALICE, secrets(1));
      assertThatThrownBy(() -> f.store.writeSlotShare(SI, 0, slotShare(2, 6001), ALICE,
          secrets(1)))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.SERVER_FULL));
      f.store.writeSlotShare(SI, 0, slotShare(2, 6000), ALICE, secrets(1));
      assertThat(f.store.usedBytes()).isEqualTo(6000);
    }
  }

  @Nested
  class Leases {
    @Test
    void addAndRenewCoverEveryShareOfTheIndex() throws Exception {
      f.upload(SI, 0, pattern(10, 1), ALICE);
      f.upload(SI, 1, pattern(20, 1), ALICE);
      assertThat(f.store.addLease(SI, BOB, secrets(50)).shares()).isEqualTo(2);
      assertThat(f.store.ownerBytes(BOB)).isEqualTo(ShareCharge.of(10) + ShareCharge.of(20));
      f.store.renewLease(SI, StoreFixture.filled(32, 50));
      assertThatThrownBy(() -> f.store.renewLease(SI, StoreFixture.filled(32, 51)))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND));
      assertThatThrownBy(() -> f.store.addLease(si(9), BOB, secrets(50)))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND));
    }

    @Test
    void collectIfExpiredDeletesOnlyWhenEveryLeaseRanOut() throws Exception {
      f.upload(SI, 0, pattern(10, 1), ALICE);
      f.clock.advance(java.time.Duration.ofDays(10));
      f.store.addLease(SI, BOB, secrets(50));
      f.clock.advance(java.time.Duration.ofDays(25));
      ShareKey key = ShareKey.immutable(SI, 0);
      assertThat(f.store.collectIfExpired(key)).isFalse();
      assertThat(f.store.ownerBytes(ALICE)).isZero();
      f.clock.advance(java.time.Duration.ofDays(10));
      assertThat(f.store.collectIfExpired(key)).isTrue();
      assertThat(f.store.heldShares(SI)).isEmpty();
      assertThat(f.store.layout().indexDir(SI)).doesNotExist();
      assertThat(f.store.usedBytes()).isZero();
    }
  }
}
