package org.cairnfs.fs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.NodeAddress;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.server.ProtocolServer;
import org.cairnfs.protocol.server.ServerConfig;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.net.ShareStoreBackend;
import org.cairnfs.storage.store.ShareStore;
import org.cairnfs.storage.store.SlotWriteCheck;
import org.cairnfs.storage.store.StoreLimits;

/**
 * One real storage server in the test JVM: share store and lease database on a temp directory,
 * the real protocol server with TLS on loopback, and a {@link FaultyBackend} in between. It can
 * be killed (every connection drops at once) and started again on the same port and directory.
 */
public final class TestServer implements AutoCloseable {
  private final NodeKey key = NodeKey.generate();
  private final Path dir;
  private final long maxSpace;
  private final String nickname;
  private int port;
  private LeaseDb leases;
  private ShareStore store;
  private FaultyBackend backend;
  private ProtocolServer server;
  private final AtomicBoolean running = new AtomicBoolean();

  TestServer(Path dir, String nickname, long maxSpace) throws IOException {
    this.dir = dir;
    this.nickname = nickname;
    this.maxSpace = maxSpace;
    start();
  }

  /** Starts (again) on the same directory and, after the first start, the same port. */
  public synchronized void start() throws IOException {
    Files.createDirectories(dir);
    // every renewal that moves an expiry writes, so tests see renewals made seconds apart
    leases = LeaseDb.open(dir.resolve("leases.db"), java.util.List.of(), InstantSource.system(),
        Duration.ofDays(31), Duration.ZERO);
    store = ShareStore.open(dir.resolve("storage"), new StoreLimits(maxSpace, 0, maxSpace),
        leases, () -> 1L << 40, SlotWriteCheck.KEYLESS);
    backend = new FaultyBackend(new ShareStoreBackend(store));
    server = ProtocolServer.start(ServerConfig.builder(key).host("127.0.0.1").port(port)
        .backendThreads(4).ioThreads(1).storage(backend).build());
    port = server.port();
    running.set(true);
  }

  /** Stops at once: every connection drops, open uploads vanish. */
  public synchronized void kill() {
    if (!running.getAndSet(false)) {
      return;
    }
    backend.release();
    server.close();
    try {
      store.close();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      leases.close();
    }
  }

  public boolean running() {
    return running.get();
  }

  public NodeId nodeId() {
    return key.nodeId();
  }

  public NodeKey key() {
    return key;
  }

  public String nickname() {
    return nickname;
  }

  public int port() {
    return port;
  }

  public NodeAddress address() {
    return new NodeAddress(key.nodeId(), new HostPort("127.0.0.1", port));
  }

  public FaultyBackend faults() {
    return backend;
  }

  public ShareStore store() {
    return store;
  }

  public LeaseDb leases() {
    return leases;
  }

  /** The file of immutable share {@code n} of {@code index} on disk (it may not exist). */
  public Path sharePath(StorageIndex index, int n) {
    return indexDir(index).resolve(Integer.toString(n));
  }

  /** The file of mutable share {@code n} of slot {@code index} on disk. */
  public Path slotPath(StorageIndex index, int n) {
    return indexDir(index).resolve("m" + n);
  }

  private Path indexDir(StorageIndex index) {
    String text = index.toString();
    return store.layout().sharesDir().resolve(text.substring(0, 2)).resolve(text);
  }

  /** Immutable share numbers of {@code index} stored here (closed, visible). */
  public java.util.Set<Integer> shares(StorageIndex index) throws IOException {
    return store.heldShares(index);
  }

  /** Files in the incoming area (open uploads), for "nothing left behind" checks. */
  public long incomingFiles() throws IOException {
    Path incoming = store.layout().sharesDir().resolve("incoming");
    if (!Files.exists(incoming)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(incoming)) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  @Override
  public void close() {
    kill();
  }

  @Override
  public String toString() {
    return nickname + "(" + key.nodeId().shortForm() + ")";
  }
}
