package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.BOB;
import static org.cairnfs.storage.store.StoreFixture.pattern;
import static org.cairnfs.storage.store.StoreFixture.secrets;
import static org.cairnfs.storage.store.StoreFixture.si;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.cairnfs.caps.StorageIndex;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, finding 6, server side: what "already held" may mean. Only a complete share in place
 * (an upload closed, synced and renamed) is reported held; a share another client is still
 * uploading is neither held nor allocated, whatever it has written so far, so an uploader never
 * counts someone else's unfinished (or abandoned) upload as a placed share. "Held" remains a
 * claim about bytes the server cannot check; the client checks them against its cap (caps
 * {@code ShareCheck}).
 */
class AllocationClaimsTest {
  static final StorageIndex SI = si(6);
  @TempDir Path dbDir;
  StoreFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new StoreFixture(dbDir, StoreLimits.unlimited());
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  @Test
  void aShareAnotherClientIsStillUploadingIsNeverReportedHeld() throws Exception {
    byte[] data = pattern(10_000, 1);
    f.store.allocate(SI, List.of(0), data.length, BOB, secrets(2));
    // Every byte written, not yet closed: still not a share.
    f.store.write(BOB, SI, 0, 0, ByteBuffer.wrap(data));
    Allocation a = f.store.allocate(SI, List.of(0, 1), data.length, ALICE, secrets(1));
    assertThat(a.alreadyHeld()).isEmpty();
    assertThat(a.allocated()).containsExactly(1);
    assertThat(f.store.heldShares(SI)).isEmpty();
    assertThat(f.store.ownerBytes(ALICE)).as("no lease on an unfinished upload").isZero();

    f.store.close(BOB, SI, 0);
    Allocation after = f.store.allocate(SI, List.of(0), data.length, ALICE, secrets(1));
    assertThat(after.alreadyHeld()).containsExactly(0);
    assertThat(after.allocated()).isEmpty();
  }

  @Test
  void anAbortedOrDroppedUploadOfAnotherClientFreesTheNumberForTheNext() throws Exception {
    f.store.allocate(SI, List.of(3), 5000, BOB, secrets(2));
    assertThat(f.store.allocate(SI, List.of(3), 5000, ALICE, secrets(1)).allocated()).isEmpty();
    f.store.abort(BOB, SI, 3);
    Allocation a = f.store.allocate(SI, List.of(3), 5000, ALICE, secrets(1));
    assertThat(a.allocated()).containsExactly(3);
    assertThat(a.alreadyHeld()).isEmpty();
  }

  @Test
  void heldMeansCompleteWhateverTheBytesAre() throws Exception {
    // The server cannot tell garbage from a genuine share: BOB's bytes are reported held to
    // ALICE. That is why the claim must be checked by the client (threat model, wire.md).
    f.upload(SI, 2, pattern(4096, 9), BOB);
    assertThat(f.store.allocate(SI, List.of(2), 4096, ALICE, secrets(1)).alreadyHeld())
        .containsExactly(2);
  }

  /**
   * An owner allocating its own open upload again restarts it: the bytes written so far are
   * dropped (different bytes at the same offsets are taken, not refused as a conflict), the
   * open-write place and space charge are not taken twice. Another owner's open upload is left
   * alone: it is neither restarted nor allocated to the newcomer.
   */
  @Test
  void anOwnerAllocatingItsOpenUploadAgainRestartsItAndNobodyElseCan() throws Exception {
    f.close();
    f = new StoreFixture(dbDir, new StoreLimits(1 << 20, 0, 100_000, 1, 1));
    byte[] first = pattern(10, 1);
    byte[] second = pattern(10, 2);
    f.store.allocate(SI, List.of(0), 10, ALICE, secrets(1));
    f.store.write(ALICE, SI, 0, 0, ByteBuffer.wrap(first, 0, 5));
    long used = f.store.usedBytes();

    Allocation other = f.store.allocate(SI, List.of(0), 10, BOB, secrets(2));
    assertThat(other.allocated()).isEmpty();
    assertThat(f.store.isWriteOpen(ALICE, SI, 0, false)).isTrue();
    f.store.write(ALICE, SI, 0, 5, ByteBuffer.wrap(first, 5, 5)); // Bob restarted nothing

    Allocation again = f.store.allocate(SI, List.of(0), 10, ALICE, secrets(1));
    assertThat(again.allocated()).containsExactly(0); // within the cap of one open write
    assertThat(f.store.usedBytes()).isEqualTo(used);
    f.store.write(ALICE, SI, 0, 0, ByteBuffer.wrap(second)); // the old bytes are gone
    f.store.close(ALICE, SI, 0);
    assertThat(f.store.read(org.cairnfs.storage.share.ShareKey.immutable(SI, 0), 0, 10))
        .isEqualTo(second);
  }
}
