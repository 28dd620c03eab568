package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.pattern;
import static org.cairnfs.storage.store.StoreFixture.secrets;
import static org.cairnfs.storage.store.StoreFixture.si;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.store.StoreException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A retried upload may resend bytes it already sent, as part of a larger chunk: the bytes held
 * are compared with the matching part of the chunk, wherever it sits in the client's buffer.
 */
class UploadOverlapTest {
  static final StorageIndex SI = si(6);
  @TempDir Path dbDir;
  StoreFixture f;
  final byte[] data = pattern(100, 3);

  @BeforeEach
  void setUp() throws Exception {
    f = new StoreFixture(dbDir, new StoreLimits(1 << 20, 0, 100_000));
    f.store.allocate(SI, List.of(0), 100, ALICE, secrets(1));
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  void write(long offset, byte[] buffer, int from, int length) throws Exception {
    f.store.write(ALICE, SI, 0, offset, ByteBuffer.wrap(buffer, from, length));
  }

  @Test
  void aLargerChunkCoveringHeldBytesIsAcceptedWhenTheyAgree() throws Exception {
    write(40, data, 40, 20);
    write(70, data, 70, 10);
    // [30, 90) from the middle of a buffer: it overlaps [40, 60) and [70, 80).
    byte[] buffer = new byte[200];
    System.arraycopy(data, 30, buffer, 55, 60);
    write(30, buffer, 55, 60);
    write(0, data, 0, 30);
    write(90, data, 90, 10);
    f.store.close(ALICE, SI, 0);
    assertThat(f.store.read(ShareKey.immutable(SI, 0), 0, 100)).isEqualTo(data);
  }

  @Test
  void aLargerChunkDisagreeingInsideAHeldRangeIsRefused() throws Exception {
    write(40, data, 40, 20);
    byte[] buffer = new byte[200];
    System.arraycopy(data, 30, buffer, 55, 60);
    buffer[55 + 15] ^= 1; // offset 45, inside the held [40, 60)
    assertThatThrownBy(() -> write(30, buffer, 55, 60))
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(Reason.BAD_REQUEST))
        .hasMessageContaining("conflicts");
    // Bytes outside any held range may be anything until written.
    byte[] other = data.clone();
    other[35] ^= 1;
    write(30, other, 30, 10);
  }
}
