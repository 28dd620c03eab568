package org.cairnfs.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.cairnfs.cli.config.ConfigException;
import org.cairnfs.cli.config.ConfigFile;
import org.cairnfs.cli.config.NodeConfig;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.introducer.announcement.NodeSigner;
import org.cairnfs.introducer.client.AnnouncementPublisher;
import org.cairnfs.introducer.client.GridMembership;
import org.cairnfs.introducer.server.IntroducerServer;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.storage.StorageServer;
import org.cairnfs.storage.config.ByteSize;
import org.cairnfs.storage.config.StorageConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services one node directory runs, started from its config and stopped together: an
 * introducer, or a node (grid membership, and a storage server that announces itself).
 */
final class RunningNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunningNode.class);
  static final String VERSION = "cairn/0.1.0";
  /** Reconnect to an introducer at most this long after it comes back. */
  static final Duration RECONNECT_MIN = Duration.ofMillis(500);
  static final Duration RECONNECT_MAX = Duration.ofSeconds(30);

  private final NodeDirectory dir;
  private final NodeConfig config;
  private final List<AutoCloseable> parts = new ArrayList<>();
  private IntroducerServer introducer;
  private StorageServer storage;
  private GridMembership membership;

  private RunningNode(NodeDirectory dir, NodeConfig config) {
    this.dir = dir;
    this.config = config;
  }

  static RunningNode start(NodeDirectory dir) throws ConfigException, IOException {
    NodeConfig config = NodeConfig.read(dir.root());
    List<IntroducerUrl> introducers = parseIntroducers(config);
    StorageConfig storageConfig = config.storageEnabled() ? storageConfig(config) : null;
    NodeKey key = NodeKey.load(dir.nodeKey());
    RunningNode node = new RunningNode(dir, config);
    try {
      if (config.role() == NodeConfig.Role.INTRODUCER) {
        node.startIntroducer(key);
      } else {
        node.startNode(key, introducers, storageConfig);
      }
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  private void startIntroducer(NodeKey key) throws IOException {
    introducer = IntroducerServer.start(key, config.hostname(), config.port());
    parts.add(introducer);
    IntroducerUrl url = introducer.url(config.hostname());
    writeAtomically(dir.introducerUrl(), url + "\n");
    log.info("introducer {} listening on {}; URL {}", config.nickname(),
        introducer.localAddress(), url);
  }

  private void startNode(NodeKey key, List<IntroducerUrl> introducers, StorageConfig storageConfig)
      throws IOException {
    membership = membership(key, config, introducers, dir).start();
    parts.add(membership);
    if (storageConfig != null) {
      dir.privateState();
      storage = StorageServer.start(storageConfig, key);
      parts.add(storage);
      AnnouncementPublisher publisher = AnnouncementPublisher.builder(key)
          .signer(NodeSigner.of(key))
          .introducers(introducers)
          .nickname(config.nickname())
          .address(new HostPort(config.hostname(), storage.port()))
          .softwareVersion(VERSION)
          .freeSpace(this::freeSpace)
          .republishInterval(Duration.ofMinutes(10))
          .reconnectBackoff(RECONNECT_MIN, RECONNECT_MAX)
          .build().start();
      parts.add(publisher);
      log.info("storage server {} ({}) listening on {}:{}, shares in {}", config.nickname(),
          key.nodeId().shortForm(), config.hostname(), storage.port(), config.storageDir());
    }
  }

  /**
   * The grid membership a node directory's config describes (introducers, allowed servers, its
   * announcement cache), not started: one per process, shared by {@code cairn run}'s gateway.
   */
  static GridMembership membership(NodeKey key, NodeConfig config,
      List<IntroducerUrl> introducers, NodeDirectory dir) {
    return GridMembership.builder(key).introducers(introducers)
        .allowedServers(config.client().allowedServers())
        .cacheFile(dir.announcementCache()).reconnectBackoff(RECONNECT_MIN, RECONNECT_MAX)
        .build();
  }

  private long freeSpace() {
    try {
      return storage.store().freeBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<IntroducerUrl> parseIntroducers(NodeConfig config) throws ConfigException {
    List<IntroducerUrl> urls = new ArrayList<>();
    for (String text : config.introducers()) {
      try {
        urls.add(IntroducerUrl.parse(text));
      } catch (IllegalArgumentException e) {
        throw config.source().error("client.introducers",
            "bad introducer URL '" + text + "': " + e.getMessage());
      }
    }
    return urls;
  }

  /**
   * Where a node keeps its storage server's lease database: in its private state, out of the
   * storage dir, so the share tree holds only shares (storage-layout.md, section 1).
   */
  static Path leaseDbFile(Path nodeDir) {
    return nodeDir.resolve("private").resolve(StorageConfig.LEASE_DB_FILE);
  }

  /**
   * Sets a whole-number key when the config has it; a value that is not a number, or that
   * {@code set} refuses, fails naming the key and {@code rule}.
   */
  private static void whole(ConfigFile f, String key, String rule,
      LongConsumer set) throws ConfigException {
    String text = f.getString(key, "");
    if (text.isEmpty()) {
      return;
    }
    try {
      set.accept(Long.parseLong(text));
    } catch (IllegalArgumentException e) {
      throw f.error(key, "'" + key + "' must be " + rule + ", got '" + text + "'");
    }
  }

  static StorageConfig storageConfig(NodeConfig config) throws ConfigException {
    ConfigFile f = config.source();
    StorageConfig.Builder b = StorageConfig.builder(config.storageDir())
        .host(config.hostname()).port(config.port())
        .leaseDbFile(leaseDbFile(f.path().toAbsolutePath().getParent()));
    b.reservedSpace(size(f, "storage.reserved-space",
        f.getString("storage.reserved-space", "1G")));
    String max = f.getString("storage.max-space", "");
    if (!max.isEmpty()) {
      b.maxSpace(size(f, "storage.max-space", max));
    }
    String share = f.getString("storage.max-share-size", "");
    if (!share.isEmpty()) {
      b.maxShareSize(size(f, "storage.max-share-size", share));
    }
    String bw = f.getString("storage.bandwidth", "");
    if (!bw.isEmpty()) {
      b.globalBandwidth(size(f, "storage.bandwidth", bw));
    }
    String cbw = f.getString("storage.connection-bandwidth", "");
    if (!cbw.isEmpty()) {
      b.connectionBandwidth(size(f, "storage.connection-bandwidth", cbw));
    }
    b.gcEnabled(f.getBoolean("storage.gc", false));
    b.directWrites(f.getBoolean("storage.direct-writes", true));
    whole(f, "storage.lease-duration-days", "a positive whole number",
        n -> b.leaseDuration(Duration.ofDays(n)));
    whole(f, "storage.lease-renewal-granularity-seconds", "a whole number from 0 to 86400",
        n -> b.leaseRenewalGranularity(Duration.ofSeconds(n)));
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(f.path(), 0, e.getMessage());
    }
  }

  private static long size(ConfigFile f, String key, String text) throws ConfigException {
    try {
      return ByteSize.parse(text);
    } catch (IllegalArgumentException e) {
      throw f.error(key, "'" + key + "' must be a size like 500M, 200G or 1.5T: " + e.getMessage());
    }
  }

  static void writeAtomically(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  NodeConfig config() {
    return config;
  }

  /** The introducer, when this directory is one. */
  IntroducerServer introducer() {
    return introducer;
  }

  /** The storage server, when this node offers storage. */
  StorageServer storage() {
    return storage;
  }

  GridMembership membership() {
    return membership;
  }

  @Override
  public void close() {
    for (int i = parts.size() - 1; i >= 0; i--) {
      try {
        parts.get(i).close();
      } catch (Exception e) {
        log.warn("error while stopping {}: {}", parts.get(i).getClass().getSimpleName(), e.toString());
      }
    }
    parts.clear();
  }
}
