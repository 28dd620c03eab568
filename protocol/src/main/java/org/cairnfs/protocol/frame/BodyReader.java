package org.cairnfs.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WireLimits;

/** Reads body fields with a bounds check before every read and every allocation. */
final class BodyReader {
  private final ByteBuf buf;
  private final long requestId;

  BodyReader(ByteBuf buf, long requestId) {
    this.buf = buf;
    this.requestId = requestId;
  }

  FrameFormatException bad(String message) {
    return new FrameFormatException(requestId, ErrorCode.BAD_REQUEST, false, message);
  }

  private void need(int n, String field) throws FrameFormatException {
    if (buf.readableBytes() < n) {
      throw bad("truncated " + field + ": need " + n + " bytes, have " + buf.readableBytes());
    }
  }

  int u8(String field) throws FrameFormatException {
    need(1, field);
    return buf.readUnsignedByte();
  }

  int u16(String field) throws FrameFormatException {
    need(2, field);
    return buf.readUnsignedShort();
  }

  int i32(String field) throws FrameFormatException {
    need(4, field);
    return buf.readInt();
  }

  long i64(String field) throws FrameFormatException {
    need(8, field);
    return buf.readLong();
  }

  long nonNegative(String field) throws FrameFormatException {
    long v = i64(field);
    if (v < 0) {
      throw bad(field + " must be >= 0, got " + v);
    }
    return v;
  }

  int length(String field, int max) throws FrameFormatException {
    int v = i32(field);
    if (v < 0 || v > max) {
      throw bad(field + " must be 0.." + max + ", got " + Integer.toUnsignedString(v));
    }
    return v;
  }

  byte[] fixed(int n, String field) throws FrameFormatException {
    need(n, field);
    byte[] out = new byte[n];
    buf.readBytes(out);
    return out;
  }

  /**
   * u32 length (checked like {@link #bytes}) then the bytes as a message's data, not copied
   * when the frame is an unpooled array (FrameReader makes one per frame and nothing else uses
   * it); pooled memory is reused once released, so it is copied.
   */
  Response.Data data(String field, int max) throws FrameFormatException {
    return data(field, max, Response.Data::wrapping);
  }

  /** What a message makes of a window of an array it may keep. */
  @FunctionalInterface
  interface Window<T> {
    T of(byte[] array, int from, int length);
  }

  /** {@link #data(String, int)} for any message that keeps its bytes as such a window. */
  <T> T data(String field, int max, Window<T> message) throws FrameFormatException {
    int n = length(field + " length", max);
    need(n, field);
    if (!buf.hasArray() || buf.alloc() instanceof PooledByteBufAllocator) {
      return message.of(fixed(n, field), 0, n);
    }
    T m = message.of(buf.array(), buf.arrayOffset() + buf.readerIndex(), n);
    buf.skipBytes(n);
    return m;
  }

  /** u32 length (checked against {@code max} and the bytes present) then the bytes. */
  byte[] bytes(String field, int max) throws FrameFormatException {
    int n = length(field + " length", max);
    return fixed(n, field);
  }

  StorageIndex index() throws FrameFormatException {
    return StorageIndex.of(fixed(StorageIndex.LENGTH, "storage index"));
  }

  int share() throws FrameFormatException {
    return u8("share number");
  }

  /** u16 count (<= 256) then that many distinct u8 share numbers. */
  Set<Integer> shares(String field) throws FrameFormatException {
    int count = u16(field + " count");
    if (count > WireLimits.MAX_SHARE_NUMBER + 1) {
      throw bad(field + " count must be <= " + (WireLimits.MAX_SHARE_NUMBER + 1) + ", got " + count);
    }
    need(count, field);
    Set<Integer> out = new TreeSet<>();
    for (int i = 0; i < count; i++) {
      int s = buf.readUnsignedByte();
      if (!out.add(s)) {
        throw bad(field + " lists share " + s + " twice");
      }
    }
    return out;
  }

  /** u16 length (<= MAX_STRING) then strict UTF-8. */
  String string(String field) throws FrameFormatException {
    int n = u16(field + " length");
    if (n > WireLimits.MAX_STRING) {
      throw bad(field + " must be at most " + WireLimits.MAX_STRING + " bytes, got " + n);
    }
    byte[] raw = fixed(n, field);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(raw))
          .toString();
    } catch (CharacterCodingException e) {
      throw bad(field + " is not valid UTF-8");
    }
  }

  void end() throws FrameFormatException {
    if (buf.isReadable()) {
      throw bad(buf.readableBytes() + " trailing bytes after the body");
    }
  }
}
