package org.cairnfs.bench.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.fs.files.ChunkedFiles;
import org.cairnfs.fs.files.FilesConfig;
import org.cairnfs.fs.grid.ClientSecrets;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.grid.ServerPool;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.NodeAddress;
import org.cairnfs.introducer.client.GridMembership;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.storage.StorageServer;
import org.cairnfs.storage.config.StorageConfig;

/**
 * Storage servers in this JVM (TLS on loopback, shares on disk under a temp directory) and one
 * grid client over them, for the chunked-file benchmarks. Closing stops the servers and deletes
 * every share.
 */
final class BenchGrid implements AutoCloseable {
  private final Path dir;
  private final List<StorageServer> servers = new ArrayList<>();
  private final GridMembership membership;
  private final ServerPool pool;
  final GridClient client;

  BenchGrid(Path parent, int serverCount, EncodingParams params) throws IOException {
    dir = Files.createTempDirectory(parent, "cairn-files-bench");
    GridMembership.Builder members = GridMembership.builder(NodeKey.generate());
    for (int i = 0; i < serverCount; i++) {
      NodeKey key = NodeKey.generate();
      StorageServer s = StorageServer.start(StorageConfig.builder(dir.resolve("s" + i))
          .host("127.0.0.1").port(0).reservedSpace(0).build(), key);
      servers.add(s);
      members.staticServer(new NodeAddress(key.nodeId(), new HostPort("127.0.0.1", s.port())));
    }
    membership = members.build().start();
    NodeKey clientKey = NodeKey.generate();
    pool = ServerPool.builder(membership, clientKey).build();
    client = GridClient.create(pool, ClientSecrets.random(new SecureRandom()),
        GridConfig.builder().params(params).build());
  }

  ChunkedFiles files(FilesConfig config) {
    return ChunkedFiles.create(client, config);
  }

  /** Bytes of share files on the servers' disks now. */
  long bytesOnDisk() throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).filter(p -> !p.toString().contains("lease"))
          .mapToLong(p -> p.toFile().length()).sum();
    }
  }

  @Override
  public void close() throws IOException {
    client.close();
    pool.close();
    membership.close();
    for (StorageServer s : servers) {
      s.close();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
