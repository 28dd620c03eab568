package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.NodeAddress;
import org.cairnfs.introducer.client.GridMembership;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ring mostly of announced servers that accept a connection and never answer (what anyone
 * who reaches an introducer can announce): an upload crosses them in a few batches, each
 * waiting at most the connect grace, instead of a connect timeout per batch of n.
 */
class UploadPastSilentServersTest {
  private static final int SILENT = 80;
  @TempDir
  Path dir;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  /** Accepts every connection and keeps it open without a byte: a TLS handshake never ends. */
  private ServerSocket silentListener() throws IOException {
    ServerSocket s = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
    List<Socket> held = new ArrayList<>();
    Thread t = new Thread(() -> {
      while (!s.isClosed()) {
        try {
          held.add(s.accept());
        } catch (IOException e) {
          return;
        }
      }
    }, "silent-listener");
    t.setDaemon(true);
    t.start();
    closing.add(() -> {
      s.close();
      for (Socket c : held) {
        c.close();
      }
    });
    return s;
  }

  @Test
  void anUploadCrossesARingOfSilentServersInAFewGraces() throws Exception {
    TestGrid grid = new TestGrid(dir, 10);
    closing.add(grid);
    ServerSocket silent = silentListener();
    NodeKey key = NodeKey.generate();
    GridMembership.Builder b = GridMembership.builder(key);
    grid.servers().forEach(s -> b.staticServer(s.address()));
    Set<NodeId> silentIds = new HashSet<>();
    for (int i = 0; i < SILENT; i++) {
      NodeId id = NodeKey.generate().nodeId();
      silentIds.add(id);
      b.staticServer(new NodeAddress(id, new HostPort("127.0.0.1", silent.getLocalPort())));
    }
    GridMembership membership = b.build().start();
    closing.add(membership);
    // the handshake to a silent server would fail only after the 10 s connect timeout
    ServerPool pool = ServerPool.builder(membership, key)
        .clientOptions(org.cairnfs.protocol.client.ClientOptions.builder()
            .connectTimeout(Duration.ofSeconds(10)).requestTimeout(Duration.ofSeconds(10))
            .build()).build();
    closing.add(pool);
    GridClient client = GridClient.create(pool, ClientSecrets.random(new SecureRandom()),
        GridConfig.builder().connectGrace(Duration.ofMillis(500)).build());
    closing.add(client);
    byte[] data = new byte[200_000];
    new Random(5).nextBytes(data);

    long start = System.nanoTime();
    UploadResult r = client.upload(PlaintextSource.of(data)).get();
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    // walking 90 servers by batches of n, each held by its silent ones, took about 60 s
    assertThat(took).isLessThan(Duration.ofSeconds(20));
    assertThat(r.happiness()).isGreaterThanOrEqualTo(7);
    r.placement().values().forEach(ids -> assertThat(ids).doesNotContainAnyElementsOf(silentIds));
  }
}
