package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.mutable.MutableFiles;
import org.cairnfs.fs.mutable.MutableOptions;
import org.cairnfs.fs.testing.SilentListener;
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


  /** The ids of the silent servers of the last {@link #clientAmongSilentServers}. */
  private final Set<NodeId> silentIds = new HashSet<>();

  /** A client of 10 real servers and {@link #SILENT} silent ones, with a 0.5 s grace. */
  private GridClient clientAmongSilentServers() throws IOException {
    TestGrid grid = new TestGrid(dir, 10);
    closing.add(grid);
    SilentListener silent = SilentListener.open();
    closing.add(silent);
    NodeKey key = NodeKey.generate();
    GridMembership.Builder b = GridMembership.builder(key);
    grid.servers().forEach(s -> b.staticServer(s.address()));
    for (int i = 0; i < SILENT; i++) {
      NodeId id = NodeKey.generate().nodeId();
      silentIds.add(id);
      b.staticServer(new NodeAddress(id, new HostPort("127.0.0.1", silent.port())));
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
    return client;
  }

  @Test
  void anUploadCrossesARingOfSilentServersInAFewGraces() throws Exception {
    GridClient client = clientAmongSilentServers();
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

  /** The same for a mutable file (a directory): create, read and change it. */
  @Test
  void aMutableFileIsMadeReadAndChangedPastSilentServers() throws Exception {
    GridClient client = clientAmongSilentServers();
    MutableFiles mutable = MutableFiles.on(client, MutableOptions.from(client.config().params()));

    long start = System.nanoTime();
    MutableWriteCap cap = mutable.create(new byte[] {1, 2, 3}).get();
    mutable.overwrite(cap, new byte[] {4, 5}).get();
    byte[] read = mutable.read(cap.readOnly()).get().contents();
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(read).containsExactly(4, 5);
    // each map waited a connect timeout per batch of 2n: minutes
    assertThat(took).isLessThan(Duration.ofSeconds(30));
  }
}
