package org.cairnfs.caps.immutable;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.cairnfs.caps.erasure.ErasureCodec;

/**
 * The fixed first 60 bytes of an immutable share: magic "cairnshr", version u16, share number
 * u16, then the u64 offsets of the extension block, share chain, segment tree, block tree, blocks,
 * and the end (60 bytes).
 *
 * <p>Why offsets when the layout is computable: a reader checks them against the layout the
 * extension block implies, which catches a mislabelled or truncated share early, and a later
 * version may move regions without changing how the header is read.
 */
public record ShareHeader(int shareNumber, long extensionOffset, long chainOffset,
    long segmentTreeOffset, long blockTreeOffset, long blocksOffset, long shareLength) {
  static final byte[] MAGIC = "cairnshr".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  private static final int OFFSETS = 6;
  public static final int LENGTH = 8 + 2 + 2 + OFFSETS * 8;

  public byte[] encode() {
    return ByteBuffer.allocate(LENGTH).put(MAGIC).putShort((short) VERSION)
        .putShort((short) shareNumber).putLong(extensionOffset).putLong(chainOffset)
        .putLong(segmentTreeOffset).putLong(blockTreeOffset).putLong(blocksOffset)
        .putLong(shareLength).array();
  }

  /** Parses untrusted bytes (at least {@link #LENGTH}; extra bytes are ignored). */
  public static ShareHeader parse(byte[] bytes) throws ShareFormatException {
    if (bytes.length < LENGTH) {
      throw new ShareFormatException(
          "share header needs " + LENGTH + " bytes, got " + bytes.length);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, 0, LENGTH);
    byte[] magic = new byte[MAGIC.length];
    b.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new ShareFormatException("share magic is wrong: not an immutable share");
    }
    int version = Short.toUnsignedInt(b.getShort());
    if (version != VERSION) {
      throw new ShareFormatException("share version " + version + " is unknown");
    }
    int shareNumber = Short.toUnsignedInt(b.getShort());
    if (shareNumber >= ErasureCodec.MAX_SHARES) {
      throw new ShareFormatException("share number " + shareNumber + " is out of range");
    }
    long[] offsets = new long[OFFSETS];
    long previous = LENGTH;
    String[] names = {"extension offset", "chain offset", "segment tree offset",
        "block tree offset", "blocks offset", "share length"};
    for (int i = 0; i < OFFSETS; i++) {
      offsets[i] = b.getLong();
      if (offsets[i] < previous) {
        throw new ShareFormatException(
            names[i] + " " + offsets[i] + " is before the previous region end " + previous);
      }
      previous = offsets[i];
    }
    return new ShareHeader(shareNumber, offsets[0], offsets[1], offsets[2], offsets[3],
        offsets[4], offsets[5]);
  }
}
