package org.cairnfs.protocol.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.Set;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Frame;
import org.cairnfs.protocol.message.Message;
import org.cairnfs.protocol.message.MessageType;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.SampleMessages;
import org.cairnfs.protocol.message.WriteChunk;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

  static ByteBuf encode(long id, Message m) {
    ByteBuf buf = Unpooled.buffer();
    FrameCodec.encode(new Frame(id, m), buf);
    return buf;
  }

  @Test
  void everyMessageRoundTrips() throws Exception {
    Set<MessageType> seen = new HashSet<>();
    long id = 1;
    for (Message m : SampleMessages.all()) {
      ByteBuf buf = encode(id, m);
      try {
        Frame f = FrameCodec.decode(buf);
        assertThat(f.requestId()).isEqualTo(id);
        assertThat(f.message()).isEqualTo(m);
        assertThat(buf.isReadable()).isFalse();
      } finally {
        buf.release();
      }
      seen.add(m.type());
      id = id * 7 + Long.MAX_VALUE / 3;
    }
    assertThat(seen).containsExactlyInAnyOrder(MessageType.values());
  }

  /**
   * A data answer is decoded as a window of the frame's array when there is one (no copy): right
   * whether the frame is a direct buffer, an array at an offset, or an array read from its start.
   */
  @Test
  void dataAnswersDecodeTheSameFromEveryKindOfBuffer() throws Exception {
    byte[] bytes = new byte[1000];
    new java.util.Random(3).nextBytes(bytes);
    org.cairnfs.protocol.message.Response.Data sent =
        new org.cairnfs.protocol.message.Response.Data(bytes);
    ByteBuf heap = encode(9, sent);
    byte[] frame = new byte[heap.readableBytes()];
    heap.readBytes(frame);
    heap.release();
    byte[] padded = new byte[frame.length + 20];
    System.arraycopy(frame, 0, padded, 13, frame.length);
    ByteBuf direct = Unpooled.directBuffer(frame.length).writeBytes(frame);
    ByteBuf pooledHeap = io.netty.buffer.PooledByteBufAllocator.DEFAULT.heapBuffer(frame.length)
        .writeBytes(frame);
    for (ByteBuf buf : new ByteBuf[] {Unpooled.wrappedBuffer(frame),
        Unpooled.wrappedBuffer(padded, 13, frame.length), direct, pooledHeap}) {
      Frame f = FrameCodec.decode(buf);
      org.cairnfs.protocol.message.Response.Data got =
          (org.cairnfs.protocol.message.Response.Data) f.message();
      assertThat(got).isEqualTo(sent);
      assertThat(got.data()).isEqualTo(bytes);
      assertThat(got.view().remaining()).isEqualTo(bytes.length);
      assertThat(got.view().get(0)).isEqualTo(bytes[0]);
      assertThat(buf.isReadable()).isFalse();
      boolean pooled = buf == pooledHeap;
      if (pooled) { // its memory goes back to the pool and is written again: the answer copied
        buf.setZero(0, buf.capacity());
      }
      buf.release();
      assertThat(got.data()).as("after the frame's memory is reused").isEqualTo(bytes);
    }
  }

  /**
   * A write request is decoded like a data answer: a window of an unpooled frame array (the
   * frame's bytes show through it), a copy of pooled memory (reused once released).
   */
  @Test
  void writeChunksDecodeAsAWindowOfAnUnpooledFrameAndACopyOfAPooledOne() throws Exception {
    byte[] bytes = new byte[1000];
    new java.util.Random(4).nextBytes(bytes);
    WriteChunk sent = new WriteChunk(SampleMessages.index(1), 2, 77, bytes);
    ByteBuf heap = encode(9, sent);
    byte[] frame = new byte[heap.readableBytes()];
    heap.readBytes(frame);
    heap.release();
    WriteChunk unpooled = (WriteChunk) FrameCodec.decode(Unpooled.wrappedBuffer(frame)).message();
    assertThat(unpooled).isEqualTo(sent);
    frame[frame.length - 1] ^= 1; // the last data byte
    assertThat(unpooled.view().get(999)).as("a window, not a copy")
        .isEqualTo((byte) (bytes[999] ^ 1));
    frame[frame.length - 1] ^= 1;
    ByteBuf pooled = io.netty.buffer.PooledByteBufAllocator.DEFAULT.heapBuffer(frame.length)
        .writeBytes(frame);
    WriteChunk copied = (WriteChunk) FrameCodec.decode(pooled).message();
    pooled.setZero(0, pooled.capacity());
    pooled.release();
    assertThat(copied.data()).isEqualTo(bytes);
    assertThat(copied.offset()).isEqualTo(77);
    assertThat(copied.share()).isEqualTo(2);
  }

  @Test
  void goldenEncodingOfAllSamplesIsPinned() throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    long id = 0;
    for (Message m : SampleMessages.all()) {
      ByteBuf buf = encode(id++, m);
      byte[] raw = new byte[buf.readableBytes()];
      buf.readBytes(raw);
      buf.release();
      sha.update(raw);
    }
    // Changing any layout changes this hash: update wire.md and the protocol version with it.
    assertThat(HexFormat.of().formatHex(sha.digest()))
        .isEqualTo(GOLDEN);
  }

  static final String GOLDEN = "92c6d4936144864833f07ecb06f8c557894025469457efff2d282adbb1f7fc5e";

  @Test
  void readRangeMatchesTheDocumentedExample() throws Exception {
    ByteBuf buf = encode(7, new org.cairnfs.protocol.message.Request.ReadRange(
        SampleMessages.index(0), 3, 0, 4096));
    assertThat(buf.readableBytes()).isEqualTo(38);
    assertThat(buf.getByte(0)).isEqualTo((byte) 0x08);
    assertThat(buf.getLong(1)).isEqualTo(7);
    assertThat(buf.getInt(34)).isEqualTo(4096);
    buf.release();
  }

  @Test
  void writeSlotShareMatchesTheDocumentedExample() throws Exception {
    byte[] renew = new byte[32];
    byte[] cancel = new byte[32];
    java.util.Arrays.fill(renew, (byte) 0x11);
    java.util.Arrays.fill(cancel, (byte) 0x22);
    ByteBuf buf = encode(9, new org.cairnfs.protocol.message.Request.WriteSlotShare(
        SampleMessages.index(0), 2, renew, cancel, 300, 0, new byte[] {1, 2, 3}));
    byte[] raw = new byte[buf.readableBytes()];
    buf.readBytes(raw);
    buf.release();
    assertThat(HexFormat.of().formatHex(raw)).isEqualTo("0b" + "0000000000000009"
        + HexFormat.of().formatHex(SampleMessages.index(0).toBytes()) + "02" + "11".repeat(32)
        + "22".repeat(32) + "000000000000012c" + "0000000000000000" + "00000003" + "010203");
  }

  @Test
  void unknownTypeIsUnsupportedWithTheRequestId() {
    ByteBuf buf = Unpooled.buffer().writeByte(0x3E).writeLong(42).writeInt(5);
    assertThatThrownBy(() -> FrameCodec.decode(buf))
        .isInstanceOfSatisfying(FrameFormatException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED);
          assertThat(e.requestId()).isEqualTo(42);
          assertThat(e.fatal()).isFalse();
        });
    buf.release();
  }

  @Test
  void headerShorterThanNineBytesIsFatal() {
    ByteBuf buf = Unpooled.buffer().writeByte(0x01).writeInt(1);
    assertThatThrownBy(() -> FrameCodec.decode(buf))
        .isInstanceOfSatisfying(FrameFormatException.class, e -> assertThat(e.fatal()).isTrue());
    buf.release();
  }

  @Test
  void everyTruncationOfEveryMessageIsRejectedNotCrashed() {
    for (Message m : SampleMessages.all()) {
      ByteBuf full = encode(5, m);
      int n = full.readableBytes();
      for (int cut = 0; cut < n; cut += Math.max(1, n / 50)) {
        ByteBuf part = full.retainedSlice(0, cut);
        try {
          FrameCodec.decode(part);
          // Some prefixes are valid shorter messages only if the body is empty; that cannot be for cut < n.
          throw new AssertionError(m.type() + " decoded from " + cut + " of " + n + " bytes");
        } catch (FrameFormatException expected) {
          assertThat(expected.getMessage()).isNotBlank();
        } finally {
          part.release();
        }
      }
      full.release();
    }
  }

  @Test
  void trailingBytesAreRejected() {
    ByteBuf buf = encode(1, new org.cairnfs.protocol.message.Request.Ping()).writeByte(0);
    assertThatThrownBy(() -> FrameCodec.decode(buf)).isInstanceOf(FrameFormatException.class)
        .hasMessageContaining("trailing");
    buf.release();
  }

  @Test
  void hugeDeclaredLengthsAreRejectedBeforeAllocation() {
    // WriteChunk claiming 2 GiB - 1 of data in a tiny frame.
    ByteBuf buf = Unpooled.buffer().writeByte(MessageType.WRITE_CHUNK.wire()).writeLong(3)
        .writeBytes(new byte[16]).writeByte(1).writeLong(0).writeInt(Integer.MAX_VALUE);
    assertThatThrownBy(() -> FrameCodec.decode(buf)).isInstanceOf(FrameFormatException.class)
        .hasMessageContaining("data length");
    buf.release();
  }

  @Test
  void negativeOffsetAndDuplicateSharesAreRejected() {
    ByteBuf neg = Unpooled.buffer().writeByte(MessageType.READ_RANGE.wire()).writeLong(3)
        .writeBytes(new byte[16]).writeByte(1).writeLong(-1).writeInt(10);
    assertThatThrownBy(() -> FrameCodec.decode(neg)).isInstanceOf(FrameFormatException.class)
        .hasMessageContaining("offset");
    neg.release();
    ByteBuf dup = Unpooled.buffer().writeByte(MessageType.SHARE_NUMBERS.wire()).writeLong(3)
        .writeShort(2).writeByte(4).writeByte(4);
    assertThatThrownBy(() -> FrameCodec.decode(dup)).isInstanceOf(FrameFormatException.class)
        .hasMessageContaining("twice");
    dup.release();
  }

  @Test
  void slotChunkPastTotalSizeIsRejected() {
    ByteBuf buf = Unpooled.buffer().writeByte(MessageType.WRITE_SLOT_SHARE.wire()).writeLong(3)
        .writeBytes(new byte[16]).writeByte(1).writeBytes(new byte[64]).writeLong(10).writeLong(8)
        .writeInt(5).writeBytes(new byte[5]);
    assertThatThrownBy(() -> FrameCodec.decode(buf)).isInstanceOf(FrameFormatException.class)
        .hasMessageContaining("does not fit");
    buf.release();
  }

  @Test
  void invalidUtf8InErrorMessageIsRejected() {
    ByteBuf buf = Unpooled.buffer().writeByte(MessageType.ERROR.wire()).writeLong(3)
        .writeByte(1).writeShort(2).writeByte(0xC3).writeByte(0x28);
    assertThatThrownBy(() -> FrameCodec.decode(buf)).isInstanceOf(FrameFormatException.class)
        .hasMessageContaining("UTF-8");
    buf.release();
  }

  @Test
  void helloWithBadMagicIsRejected() {
    ByteBuf buf = Unpooled.buffer().writeByte(0).writeLong(0).writeBytes("NOTCAIRN".getBytes())
        .writeShort(1).writeByte(1);
    assertThatThrownBy(() -> FrameCodec.decode(buf)).isInstanceOf(FrameFormatException.class)
        .hasMessageContaining("magic");
    buf.release();
  }
}
