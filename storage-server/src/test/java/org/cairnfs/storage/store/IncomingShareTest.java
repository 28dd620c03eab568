package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.pattern;
import static org.cairnfs.storage.store.StoreFixture.secrets;
import static org.cairnfs.storage.store.StoreFixture.si;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.store.StoreException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One upload in the incoming area: what it refuses once finished, and its range cap. */
class IncomingShareTest {
  static final ShareKey KEY = ShareKey.immutable(si(1), 3);

  final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  final Path incoming = fs.getPath("/srv/incoming/1");
  final Path target = fs.getPath("/srv/shares/1");

  @TempDir Path dbDir;

  LeaseDb leases;

  @AfterEach
  void tearDown() throws Exception {
    if (leases != null) {
      leases.close();
    }
    fs.close();
  }

  static Reason reasonOf(Throwable t) {
    return ((StoreException) t).reason();
  }

  private IncomingShare create(long size) throws Exception {
    if (leases == null) {
      leases = LeaseDb.open(dbDir.resolve("leases.db"), new org.cairnfs.storage.FakeClock(), StoreFixture.LEASE);
    }
    SpaceBudget budget = new SpaceBudget(new StoreLimits(Long.MAX_VALUE, 0, Long.MAX_VALUE),
        () -> 1L << 40, leases);
    return IncomingShare.create(KEY, size, ALICE, secrets(1), incoming, budget.reserve(size));
  }

  /**
   * A rename into a new prefix directory changes the directories created for it too: each must
   * be synced, so the list names the target's parent and the parent of every directory created,
   * and stops at the first directory that already existed.
   */
  @Test
  void theParentsToSyncAreTheTargetsParentAndThoseOfEachDirectoryCreated() throws Exception {
    Files.createDirectories(fs.getPath("/srv/shares"));
    Path deep = fs.getPath("/srv/shares/ab/abcd/3");
    assertThat(IncomingShare.createParents(deep)).containsExactly(
        fs.getPath("/srv/shares/ab/abcd"), fs.getPath("/srv/shares/ab"),
        fs.getPath("/srv/shares"));
    assertThat(Files.isDirectory(fs.getPath("/srv/shares/ab/abcd"))).isTrue();
    // Now only the parent changes.
    assertThat(IncomingShare.createParents(fs.getPath("/srv/shares/ab/abcd/4")))
        .containsExactly(fs.getPath("/srv/shares/ab/abcd"));
  }

  @Test
  void aFinishedUploadRefusesWritesAndASecondFinishAsNotFound() throws Exception {
    IncomingShare upload = create(10);
    upload.write(0, ByteBuffer.wrap(pattern(10, 1)), 0L);
    upload.finish(target);
    assertThat(Files.readAllBytes(target)).isEqualTo(pattern(10, 1));
    assertThat(incoming).doesNotExist();
    assertThatThrownBy(() -> upload.write(0, ByteBuffer.wrap(pattern(10, 1)), 0L))
        .hasMessageContaining("already closed or aborted")
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND));
    assertThatThrownBy(() -> upload.finish(fs.getPath("/srv/shares/other")))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND));
    assertThat(Files.readAllBytes(target)).isEqualTo(pattern(10, 1));
    assertThat(fs.getPath("/srv/shares/other")).doesNotExist();
  }

  @Test
  void aDiscardedUploadRefusesWritesAndFinishAndLeavesNoFile() throws Exception {
    IncomingShare upload = create(10);
    upload.write(0, ByteBuffer.wrap(pattern(10, 1)), 0L);
    upload.discard();
    assertThat(incoming).doesNotExist();
    assertThatThrownBy(() -> upload.write(0, ByteBuffer.wrap(new byte[1]), 0L))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND));
    assertThatThrownBy(() -> upload.finish(target))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND));
    assertThat(target).doesNotExist();
    upload.discard(); // twice is harmless
  }

  @Test
  void anIncompleteUploadStaysOpenForTheMissingBytes() throws Exception {
    IncomingShare upload = create(10);
    upload.write(5, ByteBuffer.wrap(pattern(10, 1), 5, 5), 0L);
    assertThatThrownBy(() -> upload.finish(target))
        .hasMessageContaining("5 of 10 bytes")
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
    upload.write(0, ByteBuffer.wrap(pattern(10, 1), 0, 5), 0L);
    upload.finish(target);
    assertThat(Files.readAllBytes(target)).isEqualTo(pattern(10, 1));
  }

  @Test
  void writesEndingExactlyAtTheDeclaredSizeFitAndOneByteMoreDoesNot() throws Exception {
    IncomingShare upload = create(10);
    upload.write(10, ByteBuffer.allocate(0), 0L);
    upload.write(9, ByteBuffer.wrap(new byte[] {7}), 0L);
    assertThatThrownBy(() -> upload.write(11, ByteBuffer.allocate(0), 0L))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
    assertThatThrownBy(() -> upload.write(9, ByteBuffer.wrap(new byte[2]), 0L))
        .hasMessageContaining("does not fit")
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
  }

  /**
   * The group commit syncs and moves only a sealed upload, once: a sync or move of an upload
   * still open, or of one already moved or dropped, is a bug in the caller and must not touch
   * the file (an open upload keeps taking writes, a moved one stays where it went).
   */
  @Test
  void syncAndMoveRefuseAnUploadNotSealedOrAlreadyDone() throws Exception {
    IncomingShare open = create(10);
    open.write(0, ByteBuffer.wrap(pattern(10, 1), 0, 5), 0L);
    assertThatThrownBy(open::sync).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not sealed or already done");
    assertThatThrownBy(() -> open.moveTo(target)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not sealed or already done");
    assertThat(target).doesNotExist();
    open.write(5, ByteBuffer.wrap(pattern(10, 1), 5, 5), 0L); // still open: channel not closed
    open.finish(target);
    assertThat(Files.readAllBytes(target)).isEqualTo(pattern(10, 1));

    // Moved: sealed but done. A second sync or move is refused as misuse, not tried.
    assertThatThrownBy(open::sync).isInstanceOf(IllegalStateException.class);
    Path elsewhere = fs.getPath("/srv/shares/elsewhere");
    assertThatThrownBy(() -> open.moveTo(elsewhere)).isInstanceOf(IllegalStateException.class);
    assertThat(elsewhere).doesNotExist();
    assertThat(Files.readAllBytes(target)).isEqualTo(pattern(10, 1));
  }

  /** A sealed upload is being closed: it takes no more writes and no second seal. */
  @Test
  void aSealedUploadRefusesWritesAndASecondSealAsBeingClosed() throws Exception {
    IncomingShare upload = create(4);
    upload.write(0, ByteBuffer.wrap(pattern(4, 3)), 0L);
    upload.seal();
    assertThatThrownBy(() -> upload.write(0, ByteBuffer.wrap(pattern(4, 3)), 0L))
        .hasMessageContaining("is being closed")
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND));
    assertThatThrownBy(upload::seal).hasMessageContaining("is being closed");
    upload.sync();
    upload.moveTo(target);
    assertThat(Files.readAllBytes(target)).isEqualTo(pattern(4, 3));
  }

  /** A sealed upload dropped before its move (a failed group commit) is done, too. */
  @Test
  void aSealedUploadDroppedBeforeItsMoveIsNotMoved() throws Exception {
    IncomingShare upload = create(4);
    upload.write(0, ByteBuffer.wrap(pattern(4, 2)), 0L);
    upload.seal();
    upload.discard();
    assertThatThrownBy(upload::sync).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> upload.moveTo(target)).isInstanceOf(IllegalStateException.class);
    assertThat(target).doesNotExist();
  }

  /** Through the store: a client scattering one-byte writes is stopped at the cap. */
  @Test
  void theStoreRefusesTheRangeBeyondTheCapAndTheUploadCanStillComplete() throws Exception {
    try (StoreFixture f = new StoreFixture(dbDir, new StoreLimits(1 << 20, 0, 100_000))) {
      int size = 2 * WrittenRanges.MAX_RANGES + 2;
      byte[] data = pattern(size, 5);
      f.store.allocate(si(1), List.of(0), size, ALICE, secrets(1));
      for (int i = 0; i < WrittenRanges.MAX_RANGES; i++) {
        f.store.write(ALICE, si(1), 0, 2L * i, ByteBuffer.wrap(data, 2 * i, 1));
      }
      assertThatThrownBy(() -> f.store.write(ALICE, si(1), 0, size - 1,
          ByteBuffer.wrap(data, size - 1, 1)))
          .hasMessageContaining("more than " + WrittenRanges.MAX_RANGES + " separate ranges")
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
      // Filling the gaps merges ranges, so the rest of the upload goes through.
      for (int i = 0; i < WrittenRanges.MAX_RANGES; i++) {
        f.store.write(ALICE, si(1), 0, 2L * i + 1, ByteBuffer.wrap(data, 2 * i + 1, 1));
      }
      f.store.write(ALICE, si(1), 0, size - 2, ByteBuffer.wrap(data, size - 2, 2));
      f.store.close(ALICE, si(1), 0);
      assertThat(f.store.read(ShareKey.immutable(si(1), 0), 0, size)).isEqualTo(data);
    }
  }
}
