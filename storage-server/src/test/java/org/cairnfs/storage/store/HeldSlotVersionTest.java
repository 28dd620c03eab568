package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.mutable.MutableKeys;
import org.cairnfs.caps.mutable.SignedHeader;
import org.cairnfs.storage.lease.ShareRecord;
import org.cairnfs.storage.share.ShareKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The seqnum of a recordless slot share, read with the real keyless check of caps. */
class HeldSlotVersionTest {
  static final MutableKeys KEYS = MutableKeys.generate(new SecureRandom());
  final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());

  @AfterEach
  void close() throws Exception {
    fs.close();
  }

  static byte[] signedShare(MutableKeys keys, long seqnum, int length) {
    SignedHeader h = new SignedHeader(seqnum, new byte[32], new byte[16], 3, 10, 3 * 1024, 100);
    byte[] out = new byte[length];
    Arrays.fill(out, (byte) 0x5a);
    byte[] header = h.encode();
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(keys.publicKey(), 0, out, SignedHeader.LENGTH, 32);
    System.arraycopy(keys.sign(h.signedDigest()), 0, out, SignedHeader.LENGTH + 32, 64);
    return out;
  }

  Path file(byte[] data) throws Exception {
    return Files.write(fs.getPath("/share"), data);
  }

  static long seqnumOf(ShareKey key, Path file) throws Exception {
    return HeldSlotVersion.seqnumOf(key, file, SlotWriteCheck.KEYLESS);
  }

  @Test
  void readsTheSignedSeqnumOfASlotShareFromItsPrefixAlone() throws Exception {
    // Only the signed prefix is authenticated: the filler after it is not a valid share body.
    Path share = file(signedShare(KEYS, 7, 70_000));
    assertThat(seqnumOf(ShareKey.mutable(KEYS.storageIndex(), 2), share)).isEqualTo(7);
  }

  @Test
  void aShareFailingTheCheckHasNoSeqnum() throws Exception {
    byte[] forged = signedShare(KEYS, 7, 400);
    forged[SignedHeader.LENGTH + 40] ^= 1; // signature byte
    assertThat(seqnumOf(ShareKey.mutable(KEYS.storageIndex(), 0), file(forged)))
        .isEqualTo(ShareRecord.NO_SEQNUM);
    StorageIndex otherSlot = MutableKeys.generate(new SecureRandom()).storageIndex();
    assertThat(seqnumOf(ShareKey.mutable(otherSlot, 0), file(signedShare(KEYS, 7, 400))))
        .as("key of another slot").isEqualTo(ShareRecord.NO_SEQNUM);
    assertThat(seqnumOf(ShareKey.mutable(KEYS.storageIndex(), 0), file(new byte[10])))
        .as("truncated").isEqualTo(ShareRecord.NO_SEQNUM);
  }

  @Test
  void anImmutableShareHasNoSeqnumWhateverItHolds() throws Exception {
    Path share = file(signedShare(KEYS, 7, 400));
    assertThat(seqnumOf(ShareKey.immutable(KEYS.storageIndex(), 0), share))
        .isEqualTo(ShareRecord.NO_SEQNUM);
  }
}
