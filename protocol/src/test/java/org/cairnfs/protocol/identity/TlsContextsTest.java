package org.cairnfs.protocol.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Drives real SSLEngines against each other in memory: every engine pair, both key types. */
class TlsContextsTest {

  static java.util.stream.Stream<Arguments> combos() {
    java.util.List<Arguments> out = new java.util.ArrayList<>();
    for (KeyAlgorithm alg : new KeyAlgorithm[] {NodeKey.DEFAULT_ALGORITHM}) {
      for (TlsEngine server : TlsEngine.values()) {
        for (TlsEngine client : TlsEngine.values()) {
          out.add(Arguments.of(alg, server, client));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest
  @MethodSource("combos")
  void mutualTls13HandshakeProvesBothNodeIds(KeyAlgorithm alg, TlsEngine serverEngine,
      TlsEngine clientEngine) throws Exception {
    NodeKey serverKey = NodeKey.generate(alg);
    NodeKey clientKey = NodeKey.generate(alg);
    SslContext serverCtx = TlsContexts.server(serverKey, serverEngine);
    SslContext clientCtx = TlsContexts.client(clientKey, serverKey.nodeId(), clientEngine).context();
    SSLEngine server = serverCtx.newEngine(ByteBufAllocator.DEFAULT);
    SSLEngine client = clientCtx.newEngine(ByteBufAllocator.DEFAULT, "localhost", 1);

    handshake(client, server);

    assertThat(client.getSession().getProtocol()).isEqualTo("TLSv1.3");
    assertThat(TlsContexts.peerId(server.getSession())).isEqualTo(clientKey.nodeId());
    assertThat(TlsContexts.peerId(client.getSession())).isEqualTo(serverKey.nodeId());
  }

  @ParameterizedTest
  @MethodSource("combos")
  void wrongExpectedIdFailsHandshakeAndIsReportedAsMismatch(KeyAlgorithm alg, TlsEngine serverEngine,
      TlsEngine clientEngine) throws Exception {
    NodeKey serverKey = NodeKey.generate(alg);
    NodeId someoneElse = NodeKey.generate(alg).nodeId();
    TlsContexts.ClientTls tls = TlsContexts.client(NodeKey.generate(alg), someoneElse, clientEngine);
    SSLEngine server = TlsContexts.server(serverKey, serverEngine).newEngine(ByteBufAllocator.DEFAULT);
    SSLEngine client = tls.context().newEngine(ByteBufAllocator.DEFAULT, "localhost", 1);

    assertThatThrownBy(() -> handshake(client, server)).isInstanceOf(SSLException.class);
    IdentityMismatchException mismatch = tls.mismatch("localhost:1");
    assertThat(mismatch).isNotNull();
    assertThat(mismatch.presented()).isEqualTo(serverKey.nodeId());
    assertThat(mismatch.expected()).isEqualTo(someoneElse);
  }

  @org.junit.jupiter.api.Test
  void ed25519WorksWithJdkEngine() throws Exception {
    NodeKey serverKey = NodeKey.generate(KeyAlgorithm.ED25519);
    NodeKey clientKey = NodeKey.generate(KeyAlgorithm.ED25519);
    SSLEngine server = TlsContexts.server(serverKey, TlsEngine.JDK).newEngine(ByteBufAllocator.DEFAULT);
    SSLEngine client = TlsContexts.client(clientKey, serverKey.nodeId(), TlsEngine.JDK).context()
        .newEngine(ByteBufAllocator.DEFAULT, "localhost", 1);
    handshake(client, server);
    assertThat(TlsContexts.peerId(server.getSession())).isEqualTo(clientKey.nodeId());
  }

  /**
   * Pins the reason ECDSA is the default: if a Netty upgrade makes this pass, Ed25519 can be
   * reconsidered (and wire.md updated).
   */
  @org.junit.jupiter.api.Test
  void ed25519IsRefusedByOpenSslEngine() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(TlsEngine.OPENSSL.isAvailable());
    NodeKey serverKey = NodeKey.generate(KeyAlgorithm.ED25519);
    NodeKey clientKey = NodeKey.generate(KeyAlgorithm.ED25519);
    SSLEngine server = TlsContexts.server(serverKey, TlsEngine.OPENSSL).newEngine(ByteBufAllocator.DEFAULT);
    SSLEngine client = TlsContexts.client(clientKey, serverKey.nodeId(), TlsEngine.OPENSSL).context()
        .newEngine(ByteBufAllocator.DEFAULT, "localhost", 1);
    assertThatThrownBy(() -> handshake(client, server)).isInstanceOf(SSLException.class);
  }

  /** Pumps records between two engines until both finish the handshake. */
  static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
    client.setUseClientMode(true);
    server.setUseClientMode(false);
    client.beginHandshake();
    server.beginHandshake();
    ByteBuffer c2s = ByteBuffer.allocate(1 << 17);
    ByteBuffer s2c = ByteBuffer.allocate(1 << 17);
    ByteBuffer sink = ByteBuffer.allocate(1 << 17);
    ByteBuffer empty = ByteBuffer.allocate(0);
    for (int i = 0; i < 200; i++) {
      step(client, empty, c2s, s2c, sink);
      step(server, empty, s2c, c2s, sink);
      if (done(client) && done(server)) {
        return;
      }
    }
    throw new AssertionError("handshake did not finish: client " + client.getHandshakeStatus()
        + ", server " + server.getHandshakeStatus());
  }

  private static boolean done(SSLEngine e) {
    SSLEngineResult.HandshakeStatus s = e.getHandshakeStatus();
    return s == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
        || s == SSLEngineResult.HandshakeStatus.FINISHED;
  }

  private static void step(SSLEngine e, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer sink)
      throws SSLException {
    for (int k = 0; k < 20; k++) {
      SSLEngineResult.HandshakeStatus hs = e.getHandshakeStatus();
      if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
        Runnable t;
        while ((t = e.getDelegatedTask()) != null) {
          t.run();
        }
      } else if (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
        e.wrap(empty, out);
      } else if (hs == SSLEngineResult.HandshakeStatus.NEED_UNWRAP
          || hs == SSLEngineResult.HandshakeStatus.NEED_UNWRAP_AGAIN) {
        in.flip();
        SSLEngineResult r = e.unwrap(in, sink);
        in.compact();
        sink.clear();
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
            || (r.bytesConsumed() == 0 && r.getHandshakeStatus() == hs)) {
          return;
        }
      } else {
        return;
      }
    }
  }
}
