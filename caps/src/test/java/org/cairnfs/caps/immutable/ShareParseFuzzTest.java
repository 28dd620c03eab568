package org.cairnfs.caps.immutable;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.share.ByteArrayShare;

/**
 * Untrusted share bytes may only ever produce the documented typed failures. Runs the seed
 * corpus under {@code mvn test}; set JAZZER_FUZZ=1 to fuzz.
 */
class ShareParseFuzzTest {
  private static final Shares FILE = encode();

  private static Shares encode() {
    try {
      return Shares.encode(Shares.params(3, 10, 64), Shares.random(300, 11));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest
  void shareHeader(byte[] input) {
    try {
      ShareHeader.parse(input);
    } catch (ShareFormatException expected) {
      // the only allowed failure
    }
  }

  @FuzzTest
  void extensionBlock(byte[] input) {
    try {
      ExtensionBlock block = ExtensionBlock.parse(input);
      ShareLayout.of(block).shareLength();
    } catch (ShareFormatException expected) {
      // the only allowed failure
    }
  }

  @FuzzTest
  void shareChain(FuzzedDataProvider data) {
    int n = data.consumeInt(1, 256);
    int share = data.consumeInt(0, 300);
    try {
      ShareHashChain.parse(data.consumeRemainingAsBytes(), n, share);
    } catch (ShareFormatException expected) {
      // the only allowed failure
    }
  }

  /** A whole share, possibly damaged, opened against a real cap: rejected or read correctly. */
  @FuzzTest
  void openShare(FuzzedDataProvider data) {
    int number = data.consumeInt(0, 9);
    byte[] bytes = data.consumeRemainingAsBytes();
    ImmutableReadCap cap = FILE.cap();
    try {
      VerifiedShare share = VerifiedShare.open(number, ByteArrayShare.wrap(bytes), cap);
      byte[] block = new byte[share.layout().maxBlockLength()];
      LeafWindow segments = new LeafWindow(share.layout().segmentCount(),
          share.extension().segmentTreeRoot());
      for (int s = 0; s < share.layout().segmentCount(); s++) {
        share.readBlock(s, 4, block);
        if (!segments.covers(s)) {
          share.loadSegmentHashes(segments, s, 4);
        }
      }
    } catch (VerifiedShare.BadShareException expected) {
      // the only allowed failure
    }
  }
}
