package org.cairnfs.bench.net;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.identity.TlsEngine;
import org.cairnfs.protocol.server.ProtocolServer;
import org.cairnfs.protocol.server.ServerConfig;

/**
 * A protocol server with a {@link SinkStorageBackend} and one client connection to it over
 * loopback TLS, both sides on the same engine: the smallest setup that exercises a real Cairn
 * connection without a disk.
 */
final class LoopbackPair implements AutoCloseable {
  final ProtocolServer server;
  final StorageClient client;
  /** Nanoseconds spent connecting: TCP, the TLS 1.3 handshake and the hello exchange. */
  final long connectNanos;

  private LoopbackPair(ProtocolServer server, StorageClient client, long connectNanos) {
    this.server = server;
    this.client = client;
    this.connectNanos = connectNanos;
  }

  static ProtocolServer startServer(TlsEngine engine, byte[] chunk) throws IOException {
    return ProtocolServer.start(ServerConfig.builder(NodeKey.generate())
        .tlsEngine(engine)
        .storage(new SinkStorageBackend(chunk))
        .build());
  }

  static LoopbackPair connect(ProtocolServer server, TlsEngine engine)
      throws IOException, InterruptedException {
    ClientOptions options = ClientOptions.builder().tlsEngine(engine).build();
    NodeKey own = NodeKey.generate();
    long start = System.nanoTime();
    try {
      StorageClient client = StorageClient.connect(options, own, "127.0.0.1",
          server.port(), server.nodeId()).get();
      return new LoopbackPair(server, client, System.nanoTime() - start);
    } catch (ExecutionException e) {
      throw new IOException("cannot connect to the sink server: " + e.getCause(), e.getCause());
    }
  }

  @Override
  public void close() {
    client.close();
    server.close();
  }
}
