package org.cairnfs.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.time.InstantSource;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.server.ProtocolServer;
import org.cairnfs.protocol.server.ServerConfig;
import org.cairnfs.storage.config.StorageConfig;
import org.cairnfs.storage.gc.ExpiredShareCrawler;
import org.cairnfs.storage.gc.Pacer;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.net.ShareStoreBackend;
import org.cairnfs.storage.store.FreeSpace;
import org.cairnfs.storage.store.ShareStore;
import org.cairnfs.storage.store.SlotWriteCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running storage server: the share store under the storage dir and its lease database, the
 * protocol server with the configured traffic shaping in front of them, and the garbage
 * collector when enabled.
 *
 * <p>Why one class: start-up and shutdown order matter (database before store before network;
 * the reverse on close), and a failure half-way must release what was opened.
 */
public final class StorageServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StorageServer.class);

  private final LeaseDb leases;
  private final ShareStore store;
  private final ProtocolServer protocol;
  private final ExpiredShareCrawler crawler;

  private StorageServer(LeaseDb leases, ShareStore store, ProtocolServer protocol,
      ExpiredShareCrawler crawler) {
    this.leases = leases;
    this.store = store;
    this.protocol = protocol;
    this.crawler = crawler;
  }

  /** Starts with the system clock, the disk's real free space and the keyless slot check. */
  public static StorageServer start(StorageConfig config, NodeKey nodeKey) throws IOException {
    Files.createDirectories(config.storageDir());
    return start(config, nodeKey, InstantSource.system(), FreeSpace.of(config.storageDir()),
        SlotWriteCheck.KEYLESS);
  }

  /** Starts with the given clock, free-space source and slot check (tests). */
  public static StorageServer start(StorageConfig config, NodeKey nodeKey, InstantSource clock,
      FreeSpace freeSpace, SlotWriteCheck slotCheck) throws IOException {
    Files.createDirectories(config.storageDir());
    Files.createDirectories(config.leaseDbFile().toAbsolutePath().getParent());
    LeaseDb leases = LeaseDb.open(config.leaseDbFile(), config.oldLeaseDbFiles(), clock,
        config.leaseDuration(), config.leaseRenewalGranularity());
    ShareStore store = null;
    ExpiredShareCrawler crawler = null;
    try {
      store = ShareStore.open(config.storageDir(), config.storeLimits(), leases, freeSpace,
          slotCheck, config.directWrites());
      ServerConfig server = ServerConfig.builder(nodeKey)
          .host(config.host())
          .port(config.port())
          .globalBandwidth(config.globalBandwidth(), config.globalBandwidth())
          .channelBandwidth(config.connectionBandwidth(), config.connectionBandwidth())
          .storage(new ShareStoreBackend(store))
          .build();
      if (config.gcEnabled()) {
        crawler = new ExpiredShareCrawler(store, config.gcSharesPerSecond(), Pacer.sleeping());
      }
      ProtocolServer protocol = ProtocolServer.start(server);
      if (crawler != null) {
        crawler.start(config.gcPause());
      }
      LOG.info("storage server {} on port {} serving {}", nodeKey.nodeId().shortForm(),
          protocol.port(), config.storageDir());
      return new StorageServer(leases, store, protocol, crawler);
    } catch (IOException | RuntimeException e) {
      if (store != null) {
        store.close();
      }
      leases.close();
      throw e;
    }
  }

  public int port() {
    return protocol.port();
  }

  public NodeId nodeId() {
    return protocol.nodeId();
  }

  public ShareStore store() {
    return store;
  }

  /** Stops accepting requests, stops the collector, drops open uploads, closes the database. */
  @Override
  public void close() throws IOException {
    protocol.close();
    if (crawler != null) {
      crawler.close();
    }
    try {
      store.close();
    } finally {
      leases.close();
    }
  }
}
