package org.cairnfs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.function.UnaryOperator;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.Test;

/**
 * Starting a {@link ProtocolServer}: what it builds from its configuration and how a failed
 * bind is reported. (The shaping itself is timed in {@link ProtocolServerShapingTest}, whose
 * lower bounds an instrumented run meets even without a limit.)
 */
class ProtocolServerStartTest {
  private static final NodeKey KEY = NodeKey.generate();

  private static ServerConfig config(UnaryOperator<ServerConfig.Builder> b) {
    return b.apply(ServerConfig.builder(KEY)
        .storage(new MemoryStorageBackend(1 << 20, 1 << 16)).backendThreads(1).ioThreads(1))
        .build();
  }

  private static boolean shapesGlobally(UnaryOperator<ServerConfig.Builder> b) throws IOException {
    try (ProtocolServer server = ProtocolServer.start(config(b))) {
      return server.shapesGlobally();
    }
  }

  @Test
  void aGlobalBandwidthLimitInEitherDirectionIsApplied() throws Exception {
    assertThat(shapesGlobally(b -> b)).as("no limit").isFalse();
    assertThat(shapesGlobally(b -> b.globalBandwidth(1, 0))).as("reads").isTrue();
    assertThat(shapesGlobally(b -> b.globalBandwidth(0, 1))).as("writes").isTrue();
  }

  /** The operator is told which address and why, not only the exception's class. */
  @Test
  void aPortInUseFailsNamingTheAddressAndTheCause() throws Exception {
    try (ProtocolServer first = ProtocolServer.start(config(b -> b))) {
      int port = first.port();
      assertThatThrownBy(() -> ProtocolServer.start(config(b -> b.port(port))))
          .isInstanceOf(IOException.class)
          .satisfies(e -> assertThat(e.getMessage())
              .startsWith("cannot listen on 127.0.0.1:" + port + ": ")
              .endsWith(": " + e.getCause().getMessage()));
    }
  }

  /**
   * Once close returns, the port refuses connections (a node restarted at once binds it again).
   * The JDK frees a closed listening socket only when its selector deregisters it, so a close
   * that did not wait for the accepting loop left it listening in about one close in eight
   * here: 40 rounds miss that with odds below 1 in 200.
   */
  @Test
  void noConnectionIsTakenOnceCloseReturns() throws Exception {
    for (int i = 0; i < 40; i++) {
      int port;
      try (ProtocolServer server = ProtocolServer.start(config(b -> b))) {
        port = server.port();
      }
      assertThat(refused(port)).as("round %d: port %d still listens", i, port).isTrue();
    }
  }

  static boolean refused(int port) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
