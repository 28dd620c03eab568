package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.cairnfs.cli.config.ConfigException;
import org.cairnfs.cli.config.ConfigTemplate;
import org.cairnfs.cli.config.NodeConfig;
import org.cairnfs.introducer.client.GridServer;
import org.cairnfs.storage.config.StorageConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node directory's services, started in this JVM on loopback from its config. */
class RunningNodeTest {
  @TempDir
  Path dir;

  static NodeDirectory introducerDir(Path where) throws Exception {
    NodeDirectory d = new NodeDirectory(where);
    d.create(ConfigTemplate.introducer("intro", "127.0.0.1", 0));
    return d;
  }

  static NodeDirectory nodeDir(Path where, String nickname, String introducerUrl, boolean storage)
      throws Exception {
    NodeDirectory d = new NodeDirectory(where);
    d.create(ConfigTemplate.node(nickname, "127.0.0.1", 0, List.of(introducerUrl), null,
        storage, "storage", null, "0"));
    return d;
  }

  /** {@code dir/cairn.cfg} with {@code extra} lines appended under [storage]. */
  static NodeConfig withStorageLines(NodeDirectory d, String... extra) throws Exception {
    Files.writeString(d.config(), Files.readString(d.config()) + String.join("\n", extra) + "\n");
    return NodeConfig.read(d.root());
  }

  static String someIntroducerUrl() throws Exception {
    return "cairn://" + org.cairnfs.protocol.identity.NodeKey.generate().nodeId()
        + "@127.0.0.1:9";
  }

  @Test
  void anIntroducerWritesTheUrlItListensOn() throws Exception {
    NodeDirectory d = introducerDir(dir.resolve("intro"));
    try (RunningNode node = RunningNode.start(d)) {
      assertThat(node.introducer()).isNotNull();
      assertThat(node.storage()).isNull();
      assertThat(node.membership()).isNull();
      assertThat(node.config().role()).isEqualTo(NodeConfig.Role.INTRODUCER);
      String url = node.introducer().url("127.0.0.1").toString();
      assertThat(Files.readString(d.introducerUrl())).isEqualTo(url + "\n");
      assertThat(url).endsWith(":" + node.introducer().localAddress().getPort());
      assertThat(d.root().resolve("introducer.url.tmp")).doesNotExist();
    }
  }

  @Test
  void aStorageNodeAnnouncesItselfWithItsFreeSpace() throws Exception {
    try (RunningNode intro = RunningNode.start(introducerDir(dir.resolve("intro")))) {
      String url = intro.introducer().url("127.0.0.1").toString();
      NodeDirectory d = nodeDir(dir.resolve("n1"), "alice", url, true);
      Files.writeString(d.config(), Files.readString(d.config())
          .replace("max-space = ", "max-space = 64M"));
      try (RunningNode node = RunningNode.start(d)) {
        assertThat(node.storage()).isNotNull();
        assertThat(node.introducer()).isNull();
        List<GridServer> seen = node.membership().awaitServers(1, Duration.ofSeconds(20));
        assertThat(seen).hasSize(1);
        GridServer me = seen.get(0);
        assertThat(me.nickname()).isEqualTo("alice");
        assertThat(me.nodeId()).isEqualTo(node.storage().nodeId());
        assertThat(me.addresses().get(0).port()).isEqualTo(node.storage().port());
        assertThat(me.freeSpace()).isPositive().isLessThanOrEqualTo(64L << 20);
        assertThat(d.root().resolve("storage")).isDirectory();
      }
    }
  }

  @Test
  void aStorageNodeKeepsItsLeaseDatabasePrivateAndImportsAnOldOneThere() throws Exception {
    NodeDirectory d = nodeDir(dir.resolve("n1"), "carol", someIntroducerUrl(), true);
    Path old = d.root().resolve("storage/leases.db");
    Files.createDirectories(old.getParent());
    // An old server's MapDB file (storage-layout.md section 6) holding one share record.
    java.nio.ByteBuffer record = java.nio.ByteBuffer.allocate(21 + 1 + 32 + 64 + 8);
    record.put((byte) 0xCA).put((byte) 0x52).put((byte) 1).putLong(77).putLong(-1)
        .putShort((short) 1).put((byte) 32).put(new byte[32]).put(new byte[64])
        .putLong(System.currentTimeMillis() + Duration.ofDays(9).toMillis());
    org.mapdb.DB mapdb = org.mapdb.DBMaker.fileDB(old.toFile()).transactionEnable().make();
    mapdb.atomicString("schema").createOrOpen().set("cairn-lease-db-v1");
    mapdb.atomicString("implicit-lease-salt").createOrOpen().set("ab".repeat(32));
    mapdb.treeMap("shares", org.mapdb.Serializer.BYTE_ARRAY, org.mapdb.Serializer.BYTE_ARRAY)
        .createOrOpen().put(org.cairnfs.storage.share.ShareKey.immutable(
            org.cairnfs.caps.StorageIndex.of(new byte[16]), 1).toBytes(), record.array());
    mapdb.commit();
    mapdb.close();
    String si = org.cairnfs.caps.StorageIndex.of(new byte[16]).toString();
    Path share = d.root().resolve("storage/shares/" + si.substring(0, 2) + "/" + si + "/1");
    Files.createDirectories(share.getParent());
    Files.write(share, new byte[77]); // the share the record is about: reconciliation keeps it
    try (RunningNode node = RunningNode.start(d)) {
      assertThat(node.storage().store().leases().find(org.cairnfs.storage.share.ShareKey
          .immutable(org.cairnfs.caps.StorageIndex.of(new byte[16]), 1)).orElseThrow().leases())
          .singleElement().satisfies(l -> assertThat(l.owner())
              .isEqualTo(org.cairnfs.storage.lease.LeaseOwner.of(new byte[32])));
    }
    Path moved = d.root().resolve("private/leases.sqlite");
    assertThat(moved).exists();
    assertThat(old).doesNotExist();
    assertThat(old.resolveSibling("leases.db.imported")).exists();
    assertThat(Files.getPosixFilePermissions(moved.getParent()))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void aNodeWithoutStorageOnlyJoinsTheGrid() throws Exception {
    NodeDirectory d = nodeDir(dir.resolve("n1"), "bob", someIntroducerUrl(), false);
    try (RunningNode node = RunningNode.start(d)) {
      assertThat(node.storage()).isNull();
      assertThat(node.membership()).isNotNull();
      assertThat(node.membership().introducers()).hasSize(1);
    }
  }

  @Test
  void aStoragePortInUseFailsTheStartAndStopsWhatHadStarted() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50,
        java.net.InetAddress.getLoopbackAddress())) {
      NodeDirectory d = nodeDir(dir.resolve("n1"), "carol", someIntroducerUrl(), true);
      Files.writeString(d.config(), Files.readString(d.config())
          .replace("port = 0", "port = " + taken.getLocalPort()));
      assertThat(d.announcementCache()).doesNotExist();
      assertThatThrownBy(() -> RunningNode.start(d)).isInstanceOf(java.io.IOException.class);
      // The grid membership had started: it was closed, which writes its cache a last time.
      assertThat(d.announcementCache()).exists();
    }
  }

  @Test
  void everyStorageOptionIsReadFromTheConfig() throws Exception {
    NodeDirectory d = nodeDir(dir.resolve("n1"), "dave", someIntroducerUrl(), true);
    NodeConfig config = withStorageLines(d, "max-share-size = 1G", "bandwidth = 100M",
        "connection-bandwidth = 20M", "gc = true", "lease-duration-days = 7",
        "lease-renewal-granularity-seconds = 60", "direct-writes = false");
    Files.writeString(d.config(), Files.readString(d.config())
        .replace("max-space = \n", "max-space = 2G\n"));
    config = NodeConfig.read(d.root());
    StorageConfig s = RunningNode.storageConfig(config);
    assertThat(s.maxSpace()).isEqualTo(2L << 30);
    assertThat(s.reservedSpace()).isZero();
    assertThat(s.maxShareSize()).isEqualTo(1L << 30);
    assertThat(s.globalBandwidth()).isEqualTo(100L << 20);
    assertThat(s.connectionBandwidth()).isEqualTo(20L << 20);
    assertThat(s.gcEnabled()).isTrue();
    assertThat(s.leaseDuration()).isEqualTo(Duration.ofDays(7));
    assertThat(s.leaseRenewalGranularity()).isEqualTo(Duration.ofMinutes(1));
    assertThat(s.directWrites()).isFalse();
    assertThat(s.host()).isEqualTo("127.0.0.1");
    assertThat(s.storageDir()).isEqualTo(d.root().resolve("storage"));
    assertThat(s.leaseDbFile()).isEqualTo(d.root().resolve("private/leases.sqlite"));
  }

  @Test
  void leftOutStorageOptionsTakeTheDefaults() throws Exception {
    NodeDirectory d = new NodeDirectory(dir.resolve("n1"));
    d.create("[node]\nrole = node\n[client]\nintroducers = " + someIntroducerUrl() + "\n");
    StorageConfig s = RunningNode.storageConfig(NodeConfig.read(d.root()));
    assertThat(s.reservedSpace()).isEqualTo(StorageConfig.DEFAULT_RESERVED_SPACE);
    assertThat(s.maxSpace()).isEqualTo(Long.MAX_VALUE);
    assertThat(s.globalBandwidth()).isZero();
    assertThat(s.connectionBandwidth()).isZero();
    assertThat(s.gcEnabled()).isFalse();
    assertThat(s.leaseDuration()).isEqualTo(StorageConfig.DEFAULT_LEASE_DURATION);
    assertThat(s.leaseRenewalGranularity()).isEqualTo(Duration.ofHours(1));
    assertThat(s.directWrites()).isTrue();
  }

  @Test
  void badStorageValuesNameTheKey() throws Exception {
    NodeDirectory d = nodeDir(dir.resolve("n1"), "erin", someIntroducerUrl(), true);
    String base = Files.readString(d.config());
    String[][] cases = {
        {"bandwidth = fast", "'storage.bandwidth' must be a size"},
        {"connection-bandwidth = -", "'storage.connection-bandwidth' must be a size"},
        {"max-share-size = big", "'storage.max-share-size' must be a size"},
        {"lease-duration-days = soon", "'storage.lease-duration-days' must be a positive whole"},
        {"lease-duration-days = 0", "'storage.lease-duration-days' must be a positive whole"},
        {"lease-renewal-granularity-seconds = -1",
            "'storage.lease-renewal-granularity-seconds' must be a whole number from 0"},
        {"lease-renewal-granularity-seconds = 86401",
            "'storage.lease-renewal-granularity-seconds' must be a whole number from 0"},
        {"bandwidth = 1M\nconnection-bandwidth = 2M", "per-connection bandwidth"},
        {"max-share-size = 2G\n", "max share size"},
    };
    for (String[] c : cases) {
      String text = base + c[0] + "\n";
      if (c[1].equals("max share size")) {
        text = text.replace("max-space = \n", "max-space = 1G\n");
      }
      Files.writeString(d.config(), text);
      NodeConfig config = NodeConfig.read(d.root());
      assertThatThrownBy(() -> RunningNode.storageConfig(config)).as(c[0])
          .isInstanceOf(ConfigException.class).hasMessageContaining(c[1])
          .hasMessageContaining("cairn.cfg");
    }
    Files.writeString(d.config(), base.replace("reserved-space = 0", "reserved-space = lots"));
    NodeConfig config = NodeConfig.read(d.root());
    assertThatThrownBy(() -> RunningNode.storageConfig(config))
        .hasMessageContaining("'storage.reserved-space' must be a size");
  }

  @Test
  void aBadIntroducerUrlInTheConfigNamesIt() throws Exception {
    NodeDirectory d = nodeDir(dir.resolve("n1"), "frank", someIntroducerUrl(), true);
    Files.writeString(d.config(), Files.readString(d.config())
        .replaceAll("introducers = .*", "introducers = http://nowhere"));
    NodeConfig config = NodeConfig.read(d.root());
    assertThatThrownBy(() -> RunningNode.parseIntroducers(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bad introducer URL 'http://nowhere'");
    assertThatThrownBy(() -> RunningNode.start(d)).isInstanceOf(ConfigException.class);
  }

  @Test
  void writeAtomicallyReplacesTheWholeFile() throws Exception {
    Path file = dir.resolve("f.txt");
    RunningNode.writeAtomically(file, "a much longer first text\n");
    RunningNode.writeAtomically(file, "short\n");
    assertThat(Files.readString(file)).isEqualTo("short\n");
    assertThat(dir.resolve("f.txt.tmp")).doesNotExist();
  }
}
