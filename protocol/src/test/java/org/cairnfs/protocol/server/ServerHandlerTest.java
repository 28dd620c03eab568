package org.cairnfs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.cairnfs.protocol.frame.FrameCodec;
import org.cairnfs.protocol.frame.FrameEncoder;
import org.cairnfs.protocol.frame.FrameFormatException;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Frame;
import org.cairnfs.protocol.message.Hello;
import org.cairnfs.protocol.message.Message;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.SampleMessages;
import org.cairnfs.protocol.message.WireLimits;
import org.cairnfs.protocol.message.WriteChunk;
import org.junit.jupiter.api.Test;

/** The server pipeline (minus TLS) in an EmbeddedChannel, backend run inline. */
class ServerHandlerTest {
  private final MemoryStorageBackend backend = new MemoryStorageBackend(1 << 20, 1 << 16);
  private final ServerConfig config = ServerConfig.builder(NodeKey.generate()).storage(backend)
      .maxInFlight(4).build();

  private EmbeddedChannel channel() {
    return channel(config);
  }

  /** The real protocol handlers of {@code cfg} on an embedded channel, authenticated. */
  static EmbeddedChannel channel(ServerConfig cfg) {
    return channel(cfg, Runnable::run);
  }

  /** As {@link #channel(ServerConfig)}, backend calls run by {@code executor}. */
  static EmbeddedChannel channel(ServerConfig cfg, java.util.concurrent.Executor executor) {
    EmbeddedChannel ch = new EmbeddedChannel();
    SharedLimits shared = SharedLimits.of(cfg);
    ServerHandler handler = ServerInitializer.addProtocol(ch, cfg, shared,
        shared.connections().admitAddress(ch.remoteAddress()), new RequestDispatcher(cfg.storage, cfg.introducer, cfg.maxFrameLength, cfg.maxInFlight),
        executor, new FrameEncoder(cfg.maxFrameLength));
    handler.authenticated(ch.pipeline().context(handler), NodeKey.generate().nodeId());
    return ch;
  }

  static ByteBuf wire(long id, Message m) {
    ByteBuf body = Unpooled.buffer();
    FrameCodec.encode(new Frame(id, m), body);
    ByteBuf out = Unpooled.buffer().writeInt(body.readableBytes()).writeBytes(body);
    body.release();
    return out;
  }

  /** Reads every outbound frame, releasing the buffers. */
  static List<Frame> drain(EmbeddedChannel ch) throws FrameFormatException {
    ch.runPendingTasks();
    List<Frame> out = new ArrayList<>();
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      try {
        while (b.isReadable()) {
          int len = b.readInt();
          out.add(FrameCodec.decode(b.readSlice(len)));
        }
      } finally {
        b.release();
      }
    }
    return out;
  }

  private EmbeddedChannel greeted() throws Exception {
    EmbeddedChannel ch = channel();
    ch.writeInbound(wire(0, Hello.current(Hello.ROLE_CLIENT)));
    List<Frame> hello = drain(ch);
    assertThat(hello).hasSize(1);
    assertThat(hello.get(0).message()).isEqualTo(Hello.current(Hello.ROLE_STORAGE));
    return ch;
  }

  @Test
  void helloThenRequestIsAnsweredUnderItsId() throws Exception {
    EmbeddedChannel ch = greeted();
    ch.writeInbound(wire(99, new Request.GetServerInfo()));
    List<Frame> out = drain(ch);
    assertThat(out).singleElement().satisfies(f -> {
      assertThat(f.requestId()).isEqualTo(99);
      assertThat(f.message()).isInstanceOf(Response.ServerInfo.class);
    });
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void inputSplitByteByByteStillDecodes() throws Exception {
    EmbeddedChannel ch = greeted();
    ByteBuf all = Unpooled.buffer();
    for (int i = 1; i <= 3; i++) {
      ByteBuf one = wire(i, new Request.Allocate(SampleMessages.index(i), new byte[32], new byte[32], 10, Set.of(i)));
      all.writeBytes(one);
      one.release();
    }
    while (all.isReadable()) {
      ch.writeInbound(all.readRetainedSlice(1));
    }
    all.release();
    List<Frame> out = drain(ch);
    assertThat(out).extracting(Frame::requestId).containsExactly(1L, 2L, 3L);
    assertThat(out).allSatisfy(f -> assertThat(f.message()).isInstanceOf(Response.Allocated.class));
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void oversizedLengthPrefixClosesWithoutAllocating() throws Exception {
    EmbeddedChannel ch = greeted();
    ByteBuf evil = Unpooled.buffer().writeInt(0x80000000).writeBytes(new byte[100]);
    ch.writeInbound(evil);
    assertThat(evil.refCnt()).isZero();
    assertThat(ch.isOpen()).isFalse();
    ch.finish();
  }

  @Test
  void truncatedFrameWaitsAndIsReleasedOnClose() throws Exception {
    EmbeddedChannel ch = greeted();
    ByteBuf full = wire(5, new WriteChunk(SampleMessages.index(1), 1, 0, new byte[100]));
    ByteBuf half = full.readRetainedSlice(50);
    ch.writeInbound(half);
    assertThat(drain(ch)).isEmpty();
    assertThat(ch.finish()).isFalse();
    full.release();
    assertThat(full.refCnt()).isZero();
  }

  @Test
  void unknownTypeGetsErrorFrameAndConnectionContinues() throws Exception {
    EmbeddedChannel ch = greeted();
    ByteBuf bad = Unpooled.buffer().writeInt(9 + 3).writeByte(0x3E).writeLong(17).writeMedium(0);
    ch.writeInbound(bad);
    ch.writeInbound(wire(18, new Request.Ping()));
    List<Frame> out = drain(ch);
    assertThat(out).hasSize(2);
    assertThat(out.get(0).requestId()).isEqualTo(17);
    assertThat(((Response.Error) out.get(0).message()).code()).isEqualTo(ErrorCode.UNSUPPORTED);
    assertThat(out.get(1).message()).isEqualTo(new Response.Ok());
    assertThat(bad.refCnt()).isZero();
    assertThat(ch.isOpen()).isTrue();
    ch.finish();
  }

  @Test
  void backendRefusalBecomesTypedErrorFrame() throws Exception {
    EmbeddedChannel ch = greeted();
    ch.writeInbound(wire(3, new Request.Allocate(SampleMessages.index(1), new byte[32], new byte[32],
        1 << 20, Set.of(1))));
    Frame f = drain(ch).get(0);
    assertThat(f.message()).isEqualTo(new Response.Error(ErrorCode.SHARE_TOO_BIG,
        "share of 1048576 bytes > 65536"));
    ch.finish();
  }

  @Test
  void wrongVersionGetsUnsupportedAndClose() throws Exception {
    EmbeddedChannel ch = channel();
    ch.writeInbound(wire(0, new Hello(Hello.CURRENT_VERSION + 1, Hello.ROLE_CLIENT)));
    List<Frame> out = drain(ch);
    assertThat(out).singleElement().satisfies(f ->
        assertThat(((Response.Error) f.message()).code()).isEqualTo(ErrorCode.UNSUPPORTED));
    assertThat(ch.isOpen()).isFalse();
    ch.finish();
  }

  @Test
  void requestBeforeHelloIsRefusedAndClosed() throws Exception {
    EmbeddedChannel ch = channel();
    ch.writeInbound(wire(1, new Request.Ping()));
    assertThat(drain(ch)).singleElement().satisfies(f ->
        assertThat(f.message()).isInstanceOf(Response.Error.class));
    assertThat(ch.isOpen()).isFalse();
    ch.finish();
  }

  @Test
  void randomBytesAfterHelloNeverEscapeAsExceptions() throws Exception {
    Random random = new Random(42);
    for (int round = 0; round < 200; round++) {
      EmbeddedChannel ch = greeted();
      byte[] junk = new byte[1 + random.nextInt(300)];
      random.nextBytes(junk);
      if (junk.length >= 4 && random.nextBoolean()) {
        // Mostly-plausible length so the body decoder is reached too.
        Unpooled.wrappedBuffer(junk).setInt(0, Math.max(0, junk.length - 4));
      }
      ByteBuf in = Unpooled.wrappedBuffer(junk);
      ch.writeInbound(in); // EmbeddedChannel rethrows anything that reached the pipeline's end
      drain(ch);
      ch.finishAndReleaseAll();
      ch.checkException();
      assertThat(in.refCnt()).isZero();
    }
  }

  @Test
  void responseLargerThanMaxFrameBecomesInternalError() throws Exception {
    EmbeddedChannel ch = greeted();
    // A push bigger than a small frame limit is split; a single over-long response fails cleanly.
    ServerConfig small = ServerConfig.builder(NodeKey.generate()).storage(backend)
        .maxFrameLength(WireLimits.MIN_MAX_FRAME).build();
    EmbeddedChannel ch2 = channel(small);
    ch2.writeInbound(wire(0, Hello.current(Hello.ROLE_CLIENT)));
    ch2.writeInbound(wire(1, new Request.Allocate(SampleMessages.index(2), new byte[32], new byte[32],
        65536, Set.of(0))));
    ch2.writeInbound(wire(2, new WriteChunk(SampleMessages.index(2), 0, 0, new byte[60000])));
    ch2.writeInbound(wire(3, new Request.CloseShare(SampleMessages.index(2), 0)));
    ch2.writeInbound(wire(4, new Request.ReadRange(SampleMessages.index(2), 0, 0, 65536)));
    List<Frame> out = drain(ch2);
    Frame last = out.get(out.size() - 1);
    assertThat(last.requestId()).isEqualTo(4);
    assertThat(((Response.Error) last.message()).code()).isEqualTo(ErrorCode.INTERNAL);
    ch2.finish();
    ch.finish();
  }

  /**
   * Issue 10, finding 3: the server wrote every answer even while its peer read nothing. Now
   * nothing is answered while the socket is unwritable, not even errors for bad frames, and
   * reading stops at the in-flight limit; everything is answered, in order, once it drains.
   */
  @Test
  void nothingIsAnsweredWhileTheSocketIsUnwritable() throws Exception {
    EmbeddedChannel ch = greeted();
    ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    assertThat(ch.isWritable()).isFalse();
    ByteBuf bad = Unpooled.buffer().writeInt(9 + 3).writeByte(0x3E).writeLong(1).writeMedium(0);
    ch.writeInbound(bad);
    ch.writeInbound(wire(2, new Request.Ping()));
    ch.writeInbound(wire(3, new Request.GetServerInfo()));
    assertThat(drain(ch)).as("nothing written while unwritable").isEmpty();
    assertThat(ch.config().isAutoRead()).isTrue();
    ch.writeInbound(wire(4, new Request.Ping()));
    assertThat(ch.config().isAutoRead()).as("4 in flight: reading stops").isFalse();
    ch.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    List<Frame> out = drain(ch);
    assertThat(out).extracting(Frame::requestId).containsExactly(1L, 2L, 3L, 4L);
    assertThat(((Response.Error) out.get(0).message()).code()).isEqualTo(ErrorCode.UNSUPPORTED);
    assertThat(out.get(2).message()).isInstanceOf(Response.ServerInfo.class);
    assertThat(ch.config().isAutoRead()).isTrue();
    ch.finish();
  }

  /** Every outbound buffer joined, then decoded: an owned read's head and body come apart. */
  static List<Frame> drainJoined(EmbeddedChannel ch) throws FrameFormatException {
    ch.runPendingTasks();
    ByteBuf all = Unpooled.buffer();
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      all.writeBytes(b);
      b.release();
    }
    List<Frame> out = new ArrayList<>();
    while (all.isReadable()) {
      int len = all.readInt();
      out.add(FrameCodec.decode(all.readSlice(len)));
    }
    all.release();
    return out;
  }

  /** Stores a complete share of {@code data} as share 0 of index {@code seed}, through {@code ch}. */
  private static void store(EmbeddedChannel ch, int seed, byte[] data) throws Exception {
    ch.writeInbound(wire(101, new Request.Allocate(SampleMessages.index(seed), new byte[32],
        new byte[32], data.length, Set.of(0))));
    int half = data.length / 2; // two writes, each under the smallest frame limit
    ch.writeInbound(wire(102, new WriteChunk(SampleMessages.index(seed), 0, 0,
        java.util.Arrays.copyOf(data, half))));
    ch.writeInbound(wire(103, new WriteChunk(SampleMessages.index(seed), 0, half,
        java.util.Arrays.copyOfRange(data, half, data.length))));
    ch.writeInbound(wire(104, new Request.CloseShare(SampleMessages.index(seed), 0)));
    assertThat(drainJoined(ch)).extracting(Frame::requestId)
        .containsExactly(101L, 102L, 103L, 104L);
  }

  private static ByteBuf innermost(ByteBuf b) {
    while (b.unwrap() != null) {
      b = b.unwrap();
    }
    return b;
  }

  @Test
  void aReadFromAnOwnedBufferIsSentUncopiedAndReleased() throws Exception {
    EmbeddedChannel ch = greeted();
    byte[] data = new byte[60000];
    new Random(7).nextBytes(data);
    store(ch, 3, data);
    backend.ownedReads = true;
    ch.writeInbound(wire(4, new Request.ReadRange(SampleMessages.index(3), 0, 100, 50000)));
    ch.runPendingTasks();
    List<Object> parts = new ArrayList<>();
    Object o;
    while ((o = ch.readOutbound()) != null) {
      parts.add(o);
    }
    // the head, then the backend's own buffer (a duplicate of it, not a copy)
    assertThat(parts).hasSize(2);
    // compared below any wrapper: Netty's leak detector wraps the buffers it samples
    assertThat(innermost((ByteBuf) parts.get(1))).isSameAs(innermost(backend.handedOut.get(0)));
    ByteBuf joined = Unpooled.buffer();
    parts.forEach(p -> {
      joined.writeBytes((ByteBuf) p);
      ((ByteBuf) p).release();
    });
    Frame f = FrameCodec.decode(joined.readSlice(joined.readInt()));
    joined.release();
    assertThat(f.requestId()).isEqualTo(4);
    assertThat(((Response.Data) f.message()).data())
        .isEqualTo(java.util.Arrays.copyOfRange(data, 100, 50100));
    assertThat(backend.handedOut).singleElement()
        .satisfies(b -> assertThat(b.refCnt()).isZero());
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void anOwnedReadTooLongForAFrameIsReleased() throws Exception {
    ServerConfig small = ServerConfig.builder(NodeKey.generate()).storage(backend)
        .maxFrameLength(WireLimits.MIN_MAX_FRAME).build();
    EmbeddedChannel ch = channel(small);
    ch.writeInbound(wire(0, Hello.current(Hello.ROLE_CLIENT)));
    drainJoined(ch);
    store(ch, 4, new byte[65536]); // a read of it all is over the smallest frame limit
    backend.ownedReads = true;
    ch.writeInbound(wire(4, new Request.ReadRange(SampleMessages.index(4), 0, 0, 65536)));
    Frame last = drainJoined(ch).get(0);
    assertThat(((Response.Error) last.message()).code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(backend.handedOut).singleElement()
        .satisfies(b -> assertThat(b.refCnt()).isZero());
    ch.finish();
  }

  @Test
  void anOwnedReadAnsweredAfterItsConnectionClosedIsReleased() throws Exception {
    List<Runnable> later = new ArrayList<>();
    EmbeddedChannel ch = channel(config, later::add);
    ch.writeInbound(wire(0, Hello.current(Hello.ROLE_CLIENT)));
    drainJoined(ch);
    ch.writeInbound(wire(101, new Request.Allocate(SampleMessages.index(5), new byte[32],
        new byte[32], 1000, Set.of(0))));
    ch.writeInbound(wire(102, new WriteChunk(SampleMessages.index(5), 0, 0,
        new byte[1000])));
    ch.writeInbound(wire(103, new Request.CloseShare(SampleMessages.index(5), 0)));
    while (!later.isEmpty()) {
      later.remove(0).run();
      ch.runPendingTasks();
    }
    drainJoined(ch);
    backend.ownedReads = true;
    ch.writeInbound(wire(4, new Request.ReadRange(SampleMessages.index(5), 0, 0, 1000)));
    assertThat(later).hasSize(1);
    ch.close();
    later.remove(0).run(); // the backend answers after the peer left
    ch.runPendingTasks();
    assertThat(backend.handedOut).singleElement()
        .satisfies(b -> assertThat(b.refCnt()).isZero());
    ch.finish();
  }
}
