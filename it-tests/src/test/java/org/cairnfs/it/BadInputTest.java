package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.IdentityMismatchException;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Frame;
import org.cairnfs.protocol.message.MessageType;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WireLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input against a storage server in its own process. Every malformed message is
 * answered with an error frame or a disconnect, never a crash: after each case a client that
 * connected before it all is still served correctly, and the server process lives.
 */
class BadInputTest {
  private static final Duration REPLY = Duration.ofSeconds(15);

  @TempDir
  static Path tmp;

  private static ChildJvms jvms;
  private static CairnProcess server;
  private static Path dir;
  private static int port;
  private static NodeId serverId;
  private static EventLoopGroup group;
  private static final NodeKey GOOD = NodeKey.generate();
  private static final NodeKey BAD = NodeKey.generate();
  private static StorageClient good;
  private static final StorageIndex STORED = Shares.randomIndex();
  private static final byte[] DATA = Shares.content(7, 300_000);

  @BeforeAll
  static void startServer() throws Exception {
    jvms = new ChildJvms(tmp.resolve("logs"));
    group = new NioEventLoopGroup(1);
    dir = NodeDirs.createNode(tmp.resolve("server"), NodeDirs.absentIntroducerUrl(),
        "--reserved-space", "0");
    server = jvms.runNodes(List.of(dir), Duration.ofSeconds(60)).get(0);
    port = ChildJvms.storagePort(server);
    serverId = NodeDirs.nodeId(dir);
    good = Shares.connect(GOOD, dir, port);
    Shares.upload(good, STORED, 3, DATA, 64 * 1024);
  }

  @AfterAll
  static void stopServer() throws Exception {
    try {
      // A client arriving after all the abuse is served too.
      try (StorageClient late = Shares.connect(GOOD, dir, port)) {
        assertThat(Shares.read(late, STORED, 3, DATA.length)).isEqualTo(DATA);
      }
      assertThat(server.isAlive()).as("server process alive at the end").isTrue();
      assertThat(server.output()).doesNotContain("OutOfMemoryError");
    } finally {
      if (good != null) {
        good.close();
      }
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
      jvms.close();
    }
  }

  /** After every case the earlier client still gets right answers on its old connection. */
  @AfterEach
  void goodClientStillServed() throws Exception {
    assertThat(server.isAlive()).as("server alive; output:\n%s", server.output()).isTrue();
    assertThat(good.connection().isOpen()).isTrue();
    assertThat(Shares.get(good.shareNumbers(STORED))).containsExactly(3);
    assertThat(Shares.read(good, STORED, 3, DATA.length)).isEqualTo(DATA);
  }

  @Test
  void storageIndexOfWrongLengthIsBadRequest() throws Exception {
    try (RawConnection c = RawConnection.afterHello(group, BAD, serverId, port)) {
      c.send(RawConnection.frame(MessageType.GET_SHARE_NUMBERS, 5, new byte[15]));
      assertError(c.next(REPLY), 5, ErrorCode.BAD_REQUEST);
      c.send(RawConnection.frame(MessageType.LIST_SHARES, 6, new byte[17]));
      assertError(c.next(REPLY), 6, ErrorCode.BAD_REQUEST);
      assertStillServes(c, 7);
    }
  }

  @Test
  void shareSetOf300IsBadRequest() throws Exception {
    try (RawConnection c = RawConnection.afterHello(group, BAD, serverId, port)) {
      ByteBuf body = Unpooled.buffer();
      body.writeBytes(Shares.randomIndex().toBytes()).writeBytes(Shares.secret())
          .writeBytes(Shares.secret()).writeLong(1000).writeShort(300);
      for (int i = 0; i < 300; i++) {
        body.writeByte(i);
      }
      c.send(RawConnection.frame(MessageType.ALLOCATE, 9, bytes(body)));
      assertError(c.next(REPLY), 9, ErrorCode.BAD_REQUEST);
      assertStillServes(c, 10);
    }
  }

  @Test
  void negativeOffsetIsBadRequest() throws Exception {
    try (RawConnection c = RawConnection.afterHello(group, BAD, serverId, port)) {
      ByteBuf body = Unpooled.buffer();
      body.writeBytes(STORED.toBytes()).writeByte(3).writeLong(-1).writeInt(100);
      c.send(RawConnection.frame(MessageType.READ_RANGE, 11, bytes(body)));
      Object reply = c.next(REPLY);
      assertError(reply, 11, ErrorCode.BAD_REQUEST);
      assertThat(((Response.Error) ((Frame) reply).message()).message()).contains("offset");
      assertStillServes(c, 12);
    }
  }

  @Test
  void oversizedChunkIsRefused() throws Exception {
    StorageIndex si = Shares.randomIndex();
    Shares.allocate(good, si, 0, 4 << 20);
    try (RawConnection c = RawConnection.afterHello(group, BAD, serverId, port)) {
      // A chunk one byte over the limit, frame still within the maximum frame length.
      ByteBuf body = Unpooled.buffer();
      body.writeBytes(si.toBytes()).writeByte(0).writeLong(0).writeInt(WireLimits.MAX_CHUNK + 1)
          .writeZero(WireLimits.MAX_CHUNK + 1);
      c.send(RawConnection.frame(MessageType.WRITE_CHUNK, 13, bytes(body)));
      assertError(c.next(REPLY), 13, ErrorCode.BAD_REQUEST);
      // A length field claiming more than the frame holds.
      ByteBuf lying = Unpooled.buffer();
      lying.writeBytes(si.toBytes()).writeByte(0).writeLong(0).writeInt(1000).writeZero(10);
      c.send(RawConnection.frame(MessageType.WRITE_CHUNK, 14, bytes(lying)));
      assertError(c.next(REPLY), 14, ErrorCode.BAD_REQUEST);
      assertStillServes(c, 15);
    }
    Shares.get(good.abortShare(si, 0));
  }

  @Test
  void unknownTypeIsUnsupportedAndConnectionStaysOpen() throws Exception {
    try (RawConnection c = RawConnection.afterHello(group, BAD, serverId, port)) {
      c.send(RawConnection.frame(0x3E, 21, new byte[] {1, 2, 3}));
      assertError(c.next(REPLY), 21, ErrorCode.UNSUPPORTED);
      c.send(RawConnection.frame(0xEE, 22, new byte[0]));
      assertError(c.next(REPLY), 22, ErrorCode.UNSUPPORTED);
      assertStillServes(c, 23);
    }
  }

  @Test
  void twoGibLengthPrefixDisconnects() throws Exception {
    try (RawConnection c = RawConnection.afterHello(group, BAD, serverId, port)) {
      c.send(new byte[] {(byte) 0x80, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1});
      assertThat(c.awaitClosed(REPLY)).as("server closed the connection").isTrue();
    }
  }

  @Test
  void frameShorterThanItsHeaderIsAnErrorAndClose() throws Exception {
    try (RawConnection c = RawConnection.afterHello(group, BAD, serverId, port)) {
      c.send(new byte[] {0, 0, 0, 3, 1, 2, 3});
      assertError(c.next(REPLY), 0, ErrorCode.BAD_REQUEST);
      assertThat(c.awaitClosed(REPLY)).isTrue();
    }
  }

  @Test
  void requestBeforeHelloOrBadHelloIsRefusedAndClosed() throws Exception {
    try (RawConnection c = RawConnection.tls(group, BAD, serverId, port)) {
      c.send(RawConnection.frame(MessageType.PING, 1, new byte[0]));
      assertError(c.next(REPLY), 0, ErrorCode.BAD_REQUEST);
      assertThat(c.awaitClosed(REPLY)).isTrue();
    }
    try (RawConnection c = RawConnection.tls(group, BAD, serverId, port)) {
      c.send(RawConnection.helloFrame("NOT-CAIRN".substring(0, 8).getBytes(StandardCharsets.US_ASCII), 1));
      assertError(c.next(REPLY), 0, ErrorCode.BAD_REQUEST);
      assertThat(c.awaitClosed(REPLY)).isTrue();
    }
    try (RawConnection c = RawConnection.tls(group, BAD, serverId, port)) {
      c.send(RawConnection.helloFrame(org.cairnfs.protocol.message.Hello.MAGIC, 999));
      assertError(c.next(REPLY), 0, ErrorCode.UNSUPPORTED);
      assertThat(c.awaitClosed(REPLY)).isTrue();
    }
  }

  @Test
  void randomBytesAfterHandshakeAreErrorsOrDisconnect() throws Exception {
    Random random = new Random(42);
    for (int round = 0; round < 5; round++) {
      try (RawConnection c = RawConnection.afterHello(group, BAD, serverId, port)) {
        byte[] junk = new byte[1 + random.nextInt(64 * 1024)];
        random.nextBytes(junk);
        c.send(junk);
        // Whatever comes back is an error frame, until the server hangs up or goes quiet.
        for (Object reply; (reply = c.next(Duration.ofSeconds(2))) != null; ) {
          assertThat(reply).isInstanceOf(Frame.class);
          assertThat(((Frame) reply).message()).isInstanceOf(Response.Error.class);
        }
      }
    }
  }

  /** Well-framed requests of random type and random body: each gets an answer, none INTERNAL. */
  @Test
  void randomFramesAreAnsweredWithoutInternalErrors() throws Exception {
    Random random = new Random(7);
    int answered = 0;
    try (RawConnection c = RawConnection.afterHello(group, BAD, serverId, port)) {
      for (long id = 100; id < 400 && c.isOpen(); id++) {
        int type = random.nextInt(256);
        byte[] body = new byte[random.nextInt(4) == 0 ? random.nextInt(2000) : random.nextInt(80)];
        random.nextBytes(body);
        c.send(RawConnection.frame(type, id, body));
        Object reply = c.next(REPLY);
        if (reply == null) {
          assertThat(c.awaitClosed(REPLY)).as("no answer to type 0x%02x and still open", type).isTrue();
          break;
        }
        assertThat(reply).isInstanceOf(Frame.class);
        Frame f = (Frame) reply;
        assertThat(f.requestId()).isEqualTo(id);
        if (f.message() instanceof Response.Error e) {
          assertThat(e.code()).as("type 0x%02x: %s", type, e.message()).isNotEqualTo(ErrorCode.INTERNAL);
        }
        answered++;
      }
      // Only frames shorter than their header are fatal, and none of these is: all answered.
      assertThat(answered).isEqualTo(300);
      assertStillServes(c, 400);
    }
  }

  @Test
  void clientExpectingAnotherNodeIdGetsIdentityMismatch() {
    NodeId other = NodeKey.generate().nodeId();
    assertThatThrownBy(() -> Shares.get(StorageClient.connect(Shares.OPTIONS, BAD, "127.0.0.1",
        port, other)))
        .isInstanceOf(IdentityMismatchException.class)
        .satisfies(e -> {
          IdentityMismatchException m = (IdentityMismatchException) e;
          assertThat(m.expected()).isEqualTo(other);
          assertThat(m.presented()).isEqualTo(serverId);
        });
  }

  @Test
  void plainTcpGarbageIsDisconnected() throws Exception {
    Random random = new Random(3);
    for (byte[] junk : List.of("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
        RawConnection.helloFrame(org.cairnfs.protocol.message.Hello.MAGIC, 1), randomBytes(random, 5000))) {
      try (RawConnection c = RawConnection.plain(group, port)) {
        c.send(junk);
        assertThat(c.awaitClosed(REPLY)).as("server closed a non-TLS connection").isTrue();
      }
    }
  }

  private static void assertStillServes(RawConnection c, long id) throws Exception {
    c.send(RawConnection.frame(MessageType.PING, id, new byte[0]));
    Object reply = c.next(REPLY);
    assertThat(reply).as("answer to a ping after the bad frame").isInstanceOf(Frame.class);
    assertThat(((Frame) reply).requestId()).isEqualTo(id);
    assertThat(((Frame) reply).message()).isInstanceOf(Response.Ok.class);
  }

  private static void assertError(Object reply, long id, ErrorCode code) {
    assertThat(reply).as("reply").isInstanceOf(Frame.class);
    Frame f = (Frame) reply;
    assertThat(f.message()).as("reply to request %d", id).isInstanceOf(Response.Error.class);
    assertThat(((Response.Error) f.message()).code()).as("%s", f.message()).isEqualTo(code);
    assertThat(f.requestId()).isEqualTo(id);
  }

  private static byte[] bytes(ByteBuf b) {
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    b.release();
    return out;
  }

  private static byte[] randomBytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }
}
