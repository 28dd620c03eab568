package org.cairnfs.caps.mutable;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.OptionalLong;
import org.cairnfs.caps.MutableVerifyCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.share.ByteArrayShare;

/**
 * Hostile bytes through everything that parses a mutable share: the server's write check, the
 * front parser, and a full verification pass. Only the documented typed exceptions may escape.
 * Seeds: src/test/resources/org/cairnfs/caps/mutable/MutableShareParseFuzzTestInputs/. Jazzer
 * takes the primitives from the end of a seed, so each is the share's bytes, then one byte (the
 * share number), then eight (the held seqnum).
 */
class MutableShareParseFuzzTest {
  private static final StorageIndex SLOT = StorageIndex.of(new byte[16]);

  @FuzzTest(maxDuration = "30s")
  void parse(FuzzedDataProvider data) {
    long held = data.consumeLong();
    int number = data.consumeInt(0, 255);
    byte[] bytes = data.consumeRemainingAsBytes();
    try {
      SlotWriteCheck.check(SLOT, number, bytes,
          held < 0 ? OptionalLong.empty() : OptionalLong.of(held));
    } catch (SlotWriteRejectedException expected) {
      // the normal answer to garbage
    }
    MutableShare share;
    try {
      share = MutableShare.parse(bytes);
    } catch (MutableShareFormatException expected) {
      return;
    }
    MutableVerifyCap cap = new MutableVerifyCap(MutableKeys.fingerprintOf(share.verifyingKey()));
    try {
      MutableFileReader.verify(cap, share.header().versionId(), List.of(ByteArrayShare.wrap(bytes)));
    } catch (MutableIntegrityException expected) {
      // a parseable share whose signature or hashes are wrong
    }
  }
}
