package org.cairnfs.protocol.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The frame reader alone: splitting, exact buffers, admission before allocation, timing. */
class FrameReaderTest {
  private static final int MAX = 1 << 20;

  /** Records what it is asked, and admits only when told to. */
  private static final class Gate implements FrameReader.Admission {
    final List<Integer> asked = new ArrayList<>();
    boolean open = true;
    Runnable waiting;

    @Override
    public boolean admit(int length, Runnable admitted) {
      asked.add(length);
      if (open) {
        return true;
      }
      waiting = admitted;
      return false;
    }

    void letIn() {
      Runnable r = waiting;
      waiting = null;
      r.run();
    }
  }

  private static ByteBuf framed(byte[] body) {
    return Unpooled.buffer().writeInt(body.length).writeBytes(body);
  }

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] readFrame(EmbeddedChannel ch) {
    ByteBuf b = ch.readInbound();
    if (b == null) {
      return null;
    }
    try {
      byte[] out = new byte[b.readableBytes()];
      b.readBytes(out);
      return out;
    } finally {
      b.release();
    }
  }

  @Test
  void framesSplitAnyWayArriveWholeInExactlySizedHeapBuffers() {
    EmbeddedChannel ch = new EmbeddedChannel(new FrameReader(MAX));
    byte[] a = bytes(100_000, 1);
    byte[] b = bytes(9, 2);
    ByteBuf stream = Unpooled.buffer().writeBytes(framed(a)).writeBytes(framed(b))
        .writeBytes(framed(new byte[0]));
    // One byte at a time for the first 10, then uneven pieces.
    int[] cuts = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 7, 65_536, 3, 40_000};
    for (int cut : cuts) {
      ch.writeInbound(stream.readRetainedSlice(Math.min(cut, stream.readableBytes())));
    }
    ch.writeInbound(stream.readRetainedSlice(stream.readableBytes()));
    stream.release();
    ByteBuf first = ch.readInbound();
    assertThat(first.hasArray()).as("heap, so the JVM heap limit bounds it").isTrue();
    assertThat(first.capacity()).isEqualTo(a.length);
    byte[] got = new byte[a.length];
    first.readBytes(got);
    first.release();
    assertThat(got).isEqualTo(a);
    assertThat(readFrame(ch)).isEqualTo(b);
    assertThat(readFrame(ch)).isEmpty();
    assertThat((Object) ch.readInbound()).isNull();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void anOverlongPrefixFailsAtOnceWithoutAllocatingAndDiscardsTheRest() {
    Gate gate = new Gate();
    EmbeddedChannel ch = new EmbeddedChannel(new FrameReader(MAX, gate, 1, 0));
    ByteBuf in = Unpooled.buffer().writeInt(0x80000000).writeZero(100);
    assertThatThrownBy(() -> ch.writeInbound(in)).isInstanceOf(TooLongFrameException.class)
        .hasMessageContaining("2147483648");
    assertThat(gate.asked).as("nothing admitted, nothing allocated").isEmpty();
    assertThat(in.refCnt()).isZero();
    ByteBuf more = framed(new byte[10]);
    ch.writeInbound(more);
    assertThat(more.refCnt()).isZero();
    assertThat((Object) ch.readInbound()).isNull();
    ch.finishAndReleaseAll();
  }

  @Test
  void aFrameIsAdmittedBeforeItsBufferExistsAndInputWaitsMeanwhile() {
    Gate gate = new Gate();
    FrameReader reader = new FrameReader(MAX, gate, TimeUnit.SECONDS.toNanos(1), 0);
    EmbeddedChannel ch = new EmbeddedChannel(reader);
    gate.open = false;
    byte[] big = bytes(500_000, 3);
    ByteBuf wire = Unpooled.buffer().writeBytes(framed(big)).writeBytes(framed(bytes(5, 4)));
    ch.writeInbound(wire.readRetainedSlice(1000));
    assertThat(gate.asked).containsExactly(big.length);
    assertThat(reader.bufferedBytes()).as("only the unparsed input, no frame buffer")
        .isEqualTo(1000 - 4);
    ch.writeInbound(wire.readRetainedSlice(wire.readableBytes()));
    wire.release();
    assertThat((Object) ch.readInbound()).isNull();
    gate.open = true;
    gate.letIn();
    assertThat(readFrame(ch)).isEqualTo(big);
    assertThat(readFrame(ch)).isEqualTo(bytes(5, 4));
    assertThat(gate.asked).containsExactly(big.length, 5);
    assertThat(reader.bufferedBytes()).isZero();
    ch.finishAndReleaseAll();
  }

  @Test
  void heldInputIsReleasedWhenTheConnectionCloses() {
    Gate gate = new Gate();
    gate.open = false;
    EmbeddedChannel ch = new EmbeddedChannel(new FrameReader(MAX, gate, 1, 0));
    ByteBuf in = Unpooled.buffer().writeInt(1000).writeZero(500);
    ch.writeInbound(in.retain());
    assertThat(in.refCnt()).as("held while waiting").isEqualTo(2);
    ch.close();
    assertThat(in.refCnt()).isEqualTo(1);
    in.release();
    ch.finishAndReleaseAll();
  }

  @Test
  void aFrameIsOverdueAfterItsGracePlusItsLengthAtTheMinimumRate() {
    long grace = TimeUnit.SECONDS.toNanos(2);
    FrameReader reader = new FrameReader(MAX, FrameReader.Admission.UNLIMITED, grace, 1000);
    EmbeddedChannel ch = new EmbeddedChannel(reader);
    assertThat(reader.tick(TimeUnit.HOURS.toNanos(1))).as("no frame, no clock").isFalse();
    ch.writeInbound(Unpooled.buffer().writeShort(0));
    assertThat(reader.inFrame()).isTrue();
    assertThat(reader.tick(grace)).as("half a prefix: grace only").isFalse();
    assertThat(reader.tick(1)).isTrue();

    FrameReader second = new FrameReader(MAX, FrameReader.Admission.UNLIMITED, grace, 1000);
    EmbeddedChannel ch2 = new EmbeddedChannel(second);
    ch2.writeInbound(Unpooled.buffer().writeInt(5000).writeZero(10));
    // 5000 bytes at 1000 B/s: 5 s more than the grace.
    assertThat(second.tick(grace + TimeUnit.SECONDS.toNanos(5))).isFalse();
    assertThat(second.tick(1)).isTrue();
    ch2.writeInbound(Unpooled.buffer().writeZero(4990));
    assertThat(readFrame(ch2)).hasSize(5000);
    assertThat(second.inFrame()).isFalse();
    assertThat(second.tick(TimeUnit.HOURS.toNanos(1))).as("the next frame starts afresh")
        .isFalse();
    ch.finishAndReleaseAll();
    ch2.finishAndReleaseAll();
  }

  @Test
  void aFrameWaitingForAdmissionIsNotTimed() {
    Gate gate = new Gate();
    gate.open = false;
    FrameReader reader = new FrameReader(MAX, gate, 10, 0);
    EmbeddedChannel ch = new EmbeddedChannel(reader);
    ch.writeInbound(Unpooled.buffer().writeInt(100));
    assertThat(reader.tick(TimeUnit.HOURS.toNanos(1))).isFalse();
    gate.open = true;
    gate.letIn();
    assertThat(reader.tick(11)).isTrue();
    ch.finishAndReleaseAll();
  }
}
