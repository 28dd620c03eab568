package org.cairnfs.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Splits the byte stream at 4-byte big-endian length prefixes (unsigned, excluding the prefix,
 * which is stripped) and passes each frame on as one heap {@link ByteBuf} of exactly its length.
 *
 * <p>Why not Netty's {@code LengthFieldBasedFrameDecoder}: it accumulates a partial frame in a
 * pooled buffer that grows by doubling (a 1.06 MiB frame ends in a 2 MiB direct buffer, copied
 * on each growth), and pooled arenas keep that memory after the connection is gone. Here a
 * frame's buffer is allocated once, at its exact length, only after {@link Admission} agreed to
 * the bytes, on the heap, where the JVM's heap limit bounds it and the garbage collector gives
 * it back. A prefix above the maximum fails at once, before anything is allocated, with a
 * {@link TooLongFrameException}; the rest of the stream is then discarded.
 *
 * <p>While a frame waits for admission, input that arrives meanwhile (at most what the socket
 * read already delivered; the admission pauses reading) is held unparsed. A frame's progress
 * is timed by {@link #tick(long)} (see there). Event loop only; not sharable.
 */
public final class FrameReader extends ChannelInboundHandlerAdapter {
  /** Decides whether a frame of a given length may be buffered now. */
  @FunctionalInterface
  public interface Admission {
    /**
     * Called on the event loop once a frame's length is known, before its buffer exists.
     * Returns true to admit it now; false to make the reader wait, in which case the admission
     * must later run {@code admitted} on the event loop (unless the channel closed first).
     */
    boolean admit(int length, Runnable admitted);

    /** Admits everything at once (clients: one frame at a time is all they ever buffer). */
    Admission UNLIMITED = (length, admitted) -> true;
  }

  private final int maxFrameLength;
  private final Admission admission;
  private final long graceNanos;
  private final long minBytesPerSecond;
  private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
  private ChannelHandlerContext ctx;

  private int prefixBytes;
  private int length;
  private boolean waiting;
  private byte[] body;
  private int filled;
  private boolean failed;
  private long activeNanos;
  private long allowanceNanos;

  /** A reader that admits every frame up to {@code maxFrameLength} and is never timed. */
  public FrameReader(int maxFrameLength) {
    this(maxFrameLength, Admission.UNLIMITED, Long.MAX_VALUE / 4, 0);
  }

  /**
   * @param grace time every frame may take (counted while reading is not paused)
   * @param minBytesPerSecond added allowance per byte of the frame's declared length (0: none)
   */
  public FrameReader(int maxFrameLength, Admission admission, long graceNanos,
      long minBytesPerSecond) {
    if (maxFrameLength < 0 || minBytesPerSecond < 0 || graceNanos <= 0) {
      throw new IllegalArgumentException("bad frame reader settings: max " + maxFrameLength
          + ", grace " + graceNanos + " ns, min rate " + minBytesPerSecond);
    }
    this.maxFrameLength = maxFrameLength;
    this.admission = admission;
    this.graceNanos = graceNanos;
    this.minBytesPerSecond = minBytesPerSecond;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (failed) {
      in.release();
      return;
    }
    held.add(in);
    if (waiting) {
      // Admission paused reading; something else (traffic shaping ending its own pause) may
      // have resumed it. Pause again, so what is held stays one socket read or so.
      ctx.channel().config().setAutoRead(false);
    }
    drain();
  }

  /** Parses held input until it is used up, a frame waits for admission, or the stream failed. */
  private void drain() {
    while (!waiting && !failed && !held.isEmpty() && ctx.channel().isActive()) {
      ByteBuf in = held.peek();
      consume(in);
      if (!in.isReadable()) {
        held.poll().release();
      }
    }
    if (failed || !ctx.channel().isActive()) {
      releaseHeld();
    }
  }

  private void consume(ByteBuf in) {
    while (in.isReadable() && !waiting && !failed) {
      if (body == null) {
        if (prefixBytes == 0) {
          activeNanos = 0;
          allowanceNanos = graceNanos;
        }
        length = (length << 8) | in.readUnsignedByte();
        if (++prefixBytes < 4) {
          continue;
        }
        long declared = length & 0xffffffffL;
        if (declared > maxFrameLength) {
          failed = true;
          ctx.fireExceptionCaught(new TooLongFrameException("frame length " + declared
              + " exceeds the maximum " + maxFrameLength));
          return;
        }
        if (minBytesPerSecond > 0) {
          allowanceNanos = graceNanos + TimeUnit.SECONDS.toNanos(declared) / minBytesPerSecond;
        }
        if (!admission.admit(length, this::admitted)) {
          waiting = true;
          return;
        }
        start();
      } else {
        int n = Math.min(in.readableBytes(), body.length - filled);
        in.readBytes(body, filled, n);
        filled += n;
      }
      completeIfFull();
    }
  }

  private void start() {
    body = new byte[length];
    filled = 0;
  }

  private void completeIfFull() {
    if (body != null && filled == body.length) {
      byte[] frame = body;
      body = null;
      prefixBytes = 0;
      length = 0;
      ctx.fireChannelRead(frame.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(frame));
    }
  }

  private void admitted() {
    if (!waiting) {
      return;
    }
    waiting = false;
    if (!ctx.channel().isActive()) {
      return;
    }
    start();
    completeIfFull();
    drain();
  }

  /**
   * Adds {@code elapsedNanos} to the time the current frame has taken and says whether it is
   * now overdue: a frame, from its first prefix byte, may take the grace time plus its length
   * at the minimum rate. The owner calls this on a timer, only for time during which reading
   * was not paused, so neither backpressure nor waiting for admission counts against the peer.
   */
  public boolean tick(long elapsedNanos) {
    if (waiting || (prefixBytes == 0 && body == null)) {
      return false;
    }
    activeNanos += elapsedNanos;
    return activeNanos > allowanceNanos;
  }

  /** True while a frame has started but not completed (including one waiting for admission). */
  public boolean inFrame() {
    return prefixBytes > 0 || body != null;
  }

  /** Bytes held for the current frame and unparsed input (tests). */
  public long bufferedBytes() {
    long n = body != null ? body.length : 0;
    for (ByteBuf b : held) {
      n += b.readableBytes();
    }
    return n;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    body = null;
    releaseHeld();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    body = null;
    releaseHeld();
  }

  private void releaseHeld() {
    ByteBuf b;
    while ((b = held.poll()) != null) {
      b.release();
    }
  }
}
