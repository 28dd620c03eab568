package org.cairnfs.protocol.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.identity.IdentityMismatchException;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.identity.TlsEngine;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.SampleMessages;
import org.cairnfs.protocol.server.Caller;
import org.cairnfs.protocol.server.IntroducerBackend;
import org.cairnfs.protocol.server.MemoryStorageBackend;
import org.cairnfs.protocol.server.ProtocolServer;
import org.cairnfs.protocol.server.ServerConfig;
import org.cairnfs.protocol.server.Subscription;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real TLS over loopback, each engine as both ends. */
class ProtocolClientTest {
  private static final NodeKey SERVER_KEY = NodeKey.generate();
  private static final NodeKey CLIENT_KEY = NodeKey.generate();

  /** Echoes every publish to every subscriber. */
  static final class EchoIntroducer implements IntroducerBackend {
    final List<Subscription> subs = new CopyOnWriteArrayList<>();

    @Override
    public void publish(Caller caller, byte[] announcement) {
      for (Subscription s : subs) {
        s.push(List.of(announcement));
      }
    }

    @Override
    public void subscribe(Caller caller, Subscription subscription) {
      subs.add(subscription);
      subscription.onClose(() -> subs.remove(subscription));
    }
  }

  private static ProtocolServer server(TlsEngine engine, MemoryStorageBackend backend) throws Exception {
    return ProtocolServer.start(ServerConfig.builder(SERVER_KEY).tlsEngine(engine).storage(backend)
        .introducer(new EchoIntroducer()).backendThreads(2).ioThreads(1).build());
  }

  private static ClientOptions options(TlsEngine engine) {
    return ClientOptions.builder().tlsEngine(engine).connectTimeout(Duration.ofSeconds(5))
        .requestTimeout(Duration.ofSeconds(5)).build();
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void uploadReadAndTypedErrors(TlsEngine engine) throws Exception {
    try (ProtocolServer server = server(engine, new MemoryStorageBackend(1 << 20, 1 << 16));
         StorageClient client = get(StorageClient.connect(options(engine), CLIENT_KEY, "127.0.0.1",
             server.port(), SERVER_KEY.nodeId()))) {
      StorageIndex si = SampleMessages.index(3);
      Response.ServerInfo info = get(client.serverInfo());
      assertThat(info.softwareVersion()).isEqualTo("memory-test");
      assertThat(get(client.allocate(si, new byte[32], new byte[32], 10, Set.of(0, 1))).allocated())
          .containsExactly(0, 1);
      get(client.writeChunk(si, 0, 0, "0123456789".getBytes()));
      get(client.closeShare(si, 0));
      assertThat(get(client.readRange(si, 0, 2, 100))).isEqualTo("23456789".getBytes());
      java.nio.ByteBuffer view = get(client.readRangeView(si, 0, 2, 100));
      assertThat(view.isReadOnly()).isTrue();
      assertThat(view.remaining()).isEqualTo(8);
      byte[] viewed = new byte[8];
      view.get(0, viewed);
      assertThat(viewed).isEqualTo("23456789".getBytes());
      assertThat(get(client.shareNumbers(si))).containsExactly(0);
      assertThatThrownBy(() -> get(client.readRange(si, 7, 0, 1)))
          .hasCauseInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> get(client.allocate(si, new byte[32], new byte[32], 1 << 17, Set.of(2))))
          .hasCauseInstanceOf(ShareTooBigException.class);
      assertThatThrownBy(() -> get(client.allocate(SampleMessages.index(4), new byte[32], new byte[32],
          1 << 16, Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16))))
          .hasCauseInstanceOf(ServerFullException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void wrongExpectedNodeIdIsIdentityMismatch(TlsEngine engine) throws Exception {
    try (ProtocolServer server = server(engine, new MemoryStorageBackend(1 << 20, 1 << 16))) {
      CompletableFuture<StorageClient> f = StorageClient.connect(options(engine), CLIENT_KEY,
          "127.0.0.1", server.port(), NodeKey.generate().nodeId());
      assertThatThrownBy(() -> get(f)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(IdentityMismatchException.class).hasMessageContaining(server.nodeId().toString());
    }
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void hundredPipelinedRequestsOnOneConnection(TlsEngine engine) throws Exception {
    try (ProtocolServer server = server(engine, new MemoryStorageBackend(1 << 24, 1 << 16));
         StorageClient client = get(StorageClient.connect(options(engine), CLIENT_KEY, "127.0.0.1",
             server.port(), SERVER_KEY.nodeId()))) {
      StorageIndex si = SampleMessages.index(5);
      get(client.allocate(si, new byte[32], new byte[32], 100 * 100, Set.of(0)));
      List<CompletableFuture<Void>> writes = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        writes.add(client.writeChunk(si, 0, i * 100L, SampleMessages.bytes(100, i)));
      }
      CompletableFuture<Void> close = client.closeShare(si, 0); // pipelined behind the writes
      List<CompletableFuture<byte[]>> reads = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        reads.add(client.readRange(si, 0, i * 100L, 100));
      }
      get(CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])));
      get(close);
      for (int i = 0; i < 100; i++) {
        assertThat(get(reads.get(i))).isEqualTo(SampleMessages.bytes(100, i));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void serverKeepsServingGoodClientWhileBadClientSendsGarbage(TlsEngine engine) throws Exception {
    try (ProtocolServer server = server(engine, new MemoryStorageBackend(1 << 20, 1 << 16));
         StorageClient good = get(StorageClient.connect(options(engine), CLIENT_KEY, "127.0.0.1",
             server.port(), SERVER_KEY.nodeId()))) {
      byte[] junk = new byte[64 * 1024];
      new Random(1).nextBytes(junk);
      try (Socket bad = new Socket("127.0.0.1", server.port())) {
        OutputStream out = bad.getOutputStream();
        try {
          out.write(junk);
          out.flush();
        } catch (java.io.IOException closedByServer) {
          // expected sooner or later
        }
        assertThat(get(good.serverInfo()).freeSpace()).isEqualTo(1 << 20);
      }
      assertThat(get(good.serverInfo()).maxShareSize()).isEqualTo(1 << 16);
    }
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void subscriberReceivesPublishedAnnouncements(TlsEngine engine) throws Exception {
    try (ProtocolServer server = server(engine, new MemoryStorageBackend(1, 1));
         ProtocolClient sub = get(ProtocolClient.connect(options(engine), CLIENT_KEY, "127.0.0.1",
             server.port(), SERVER_KEY.nodeId()));
         ProtocolClient pub = get(ProtocolClient.connect(options(engine), NodeKey.generate(),
             "127.0.0.1", server.port(), SERVER_KEY.nodeId()))) {
      CompletableFuture<byte[]> received = new CompletableFuture<>();
      get(sub.subscribe(list -> list.forEach(received::complete)));
      get(pub.publish("hello grid".getBytes()));
      assertThat(get(received)).isEqualTo("hello grid".getBytes());
    }
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void refusedConnectionNamesHostAndPort(TlsEngine engine) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    int closedPort = port;
    assertThatThrownBy(() -> get(ProtocolClient.connect(options(engine), CLIENT_KEY, "127.0.0.1",
        closedPort, SERVER_KEY.nodeId())))
        .cause().isInstanceOf(ConnectFailedException.class).hasMessageContaining("127.0.0.1:" + closedPort);
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void closeFailsPendingAndLaterRequests(TlsEngine engine) throws Exception {
    try (ProtocolServer server = server(engine, new MemoryStorageBackend(1, 1))) {
      ProtocolClient client = get(ProtocolClient.connect(options(engine), CLIENT_KEY, "127.0.0.1",
          server.port(), SERVER_KEY.nodeId()));
      client.close();
      assertThat(client.isOpen()).isFalse();
      assertThatThrownBy(() -> get(client.request(new org.cairnfs.protocol.message.Request.Ping())))
          .cause().isInstanceOf(ConnectionClosedException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void closeFutureCompletesOnLocalCloseAndWhenTheServerGoesAway(TlsEngine engine)
      throws Exception {
    ProtocolClient dropped;
    try (ProtocolServer server = server(engine, new MemoryStorageBackend(1, 1))) {
      ProtocolClient client = get(ProtocolClient.connect(options(engine), CLIENT_KEY, "127.0.0.1",
          server.port(), SERVER_KEY.nodeId()));
      CompletableFuture<Void> watched = client.closeFuture();
      assertThat(watched).isNotDone();
      watched.cancel(false);
      assertThat(client.closeFuture()).as("one caller cannot complete another's").isNotDone();
      client.close();
      get(client.closeFuture());
      assertThat(client.closeFuture()).isCompleted();

      dropped = get(ProtocolClient.connect(options(engine), CLIENT_KEY, "127.0.0.1",
          server.port(), SERVER_KEY.nodeId()));
      assertThat(dropped.closeFuture()).isNotDone();
    }
    get(dropped.closeFuture());
    assertThat(dropped.isOpen()).isFalse();
  }
}
