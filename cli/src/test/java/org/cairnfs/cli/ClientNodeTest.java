package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.cli.config.ConfigTemplate;
import org.cairnfs.fs.grid.ClientSecrets;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.grid.UploadResult;
import org.cairnfs.protocol.identity.NodeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client node directory joining a grid of in-process servers on loopback. */
class ClientNodeTest {
  @TempDir
  Path dir;
  final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  /** An introducer and {@code servers} storage nodes; returns the introducer URL. */
  String grid(int servers) throws Exception {
    RunningNode intro = RunningNode.start(RunningNodeTest.introducerDir(dir.resolve("intro")));
    open.add(intro);
    String url = intro.introducer().url("127.0.0.1").toString();
    for (int i = 0; i < servers; i++) {
      open.add(RunningNode.start(RunningNodeTest.nodeDir(dir.resolve("s" + i), "s" + i, url,
          true)));
    }
    return url;
  }

  @Test
  void joinsTheGridAndMovesBytesWithTheNodesOwnSecrets() throws Exception {
    String url = grid(3);
    NodeDirectory c = RunningNodeTest.nodeDir(dir.resolve("client"), "client", url, false);
    GridConfig small = GridConfig.builder().params(EncodingParams.builder().k(2).happy(3).n(3)
        .build()).build();
    java.security.Security.removeProvider(org.cairnfs.caps.crypto.CryptoProviders.NATIVE);
    try (ClientNode node = ClientNode.open(c.root(), small)) {
      assertThat(node.happy()).isEqualTo(3);
      // a grid client's AES comes from the native provider where it loads (x86-64 Linux here)
      assertThat(org.cairnfs.caps.crypto.AesCtr.at(new byte[32], 0).getProvider().getName())
          .isEqualTo(org.cairnfs.caps.crypto.CryptoProviders.NATIVE);
      node.requireServers(node.happy(), Duration.ofSeconds(30));
      assertThat(node.servers().serverIds()).hasSize(3);
      assertThat(c.root().resolve(ClientSecrets.LEASE_FILE)).exists();
      assertThat(c.root().resolve(ClientSecrets.CONVERGENCE_FILE)).exists();
      byte[] data = "bytes through a client node".repeat(400).getBytes(StandardCharsets.UTF_8);
      UploadResult up = node.grid().upload(PlaintextSource.of(data)).get(30, TimeUnit.SECONDS);
      byte[] back = node.grid().open((ImmutableReadCap) up.cap()).read(0, data.length)
          .get(30, TimeUnit.SECONDS);
      assertThat(back).isEqualTo(data);
      String dirCap = node.files().createDirectory().get(30, TimeUnit.SECONDS);
      assertThat(dirCap).startsWith("cairn:dir:");
      assertThat(node.files().list(dirCap).get(30, TimeUnit.SECONDS)).isEmpty();
      // the same node directory reopened gives the same convergent cap: same secrets
      try (ClientNode again = ClientNode.open(c.root(), small)) {
        again.requireServers(3, Duration.ofSeconds(30));
        assertThat(again.grid().upload(PlaintextSource.of(data)).get(30, TimeUnit.SECONDS).cap())
            .isEqualTo(up.cap());
      }
    }
  }

  /** Four servers cannot make the default happy (7); a config that asks for four can. */
  @Test
  void sharesFromTheConfigLetASmallGridStoreFiles() throws Exception {
    String url = grid(4);
    byte[] data = "a file on a small grid".repeat(500).getBytes(StandardCharsets.UTF_8);
    NodeDirectory plain = RunningNodeTest.nodeDir(dir.resolve("plain"), "plain", url, false);
    try (ClientNode node = ClientNode.open(plain.root())) {
      assertThat(node.awaitServers(4, Duration.ofSeconds(30))).isEqualTo(4);
      assertThatThrownBy(() -> node.grid().upload(PlaintextSource.of(data))
          .get(30, TimeUnit.SECONDS)).hasRootCauseInstanceOf(
              org.cairnfs.fs.grid.HappinessException.class);
    }
    NodeDirectory c = new NodeDirectory(dir.resolve("client"));
    c.create(ConfigTemplate.node("client", "127.0.0.1", 0, List.of(url),
        EncodingParams.builder().k(2).happy(4).n(4).build(), false, "storage", null, "0"));
    try (ClientNode node = ClientNode.open(c.root())) {
      assertThat(node.happy()).isEqualTo(4);
      node.requireServers(4, Duration.ofSeconds(30));
      UploadResult up = node.grid().upload(PlaintextSource.of(data)).get(30, TimeUnit.SECONDS);
      ImmutableReadCap cap = (ImmutableReadCap) up.cap();
      assertThat(cap.k()).isEqualTo(2);
      assertThat(cap.n()).isEqualTo(4);
      assertThat(node.grid().open(cap).read(0, data.length).get(30, TimeUnit.SECONDS))
          .isEqualTo(data);
      // directories (mutable files) take the same shares
      String dirCap = node.files().createDirectory().get(30, TimeUnit.SECONDS);
      assertThat(node.files().list(dirCap).get(30, TimeUnit.SECONDS)).isEmpty();
    }
  }

  /** A node that names its servers never uses another one the introducer announces. */
  @Test
  void onlyTheAllowedServersAreUsed() throws Exception {
    RunningNode intro = RunningNode.start(RunningNodeTest.introducerDir(dir.resolve("intro")));
    open.add(intro);
    String url = intro.introducer().url("127.0.0.1").toString();
    List<NodeId> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RunningNode s = RunningNode.start(RunningNodeTest.nodeDir(dir.resolve("s" + i), "s" + i,
          url, true));
      open.add(s);
      ids.add(s.storage().nodeId());
    }
    NodeDirectory c = RunningNodeTest.nodeDir(dir.resolve("client"), "client", url, false);
    Files.writeString(c.config(), Files.readString(c.config()).replace("[client]\n",
        "[client]\nallowed-servers = " + ids.get(0) + ", " + ids.get(2) + "\n"
            + "shares-needed = 1\nshares-happy = 2\nshares-total = 2\n"));
    try (ClientNode node = ClientNode.open(c.root())) {
      node.requireServers(2, Duration.ofSeconds(30));
      // the introducer has announced all three by now: the third never gets in
      try (ClientNode any = ClientNode.open(
          RunningNodeTest.nodeDir(dir.resolve("any"), "any", url, false).root())) {
        assertThat(any.awaitServers(3, Duration.ofSeconds(30))).isEqualTo(3);
      }
      assertThat(node.servers().serverIds()).containsExactlyInAnyOrder(ids.get(0), ids.get(2));
      byte[] data = "only for members".repeat(300).getBytes(StandardCharsets.UTF_8);
      UploadResult up = node.grid().upload(PlaintextSource.of(data)).get(30, TimeUnit.SECONDS);
      assertThat(up.placement().values().stream().flatMap(List::stream))
          .containsOnly(ids.get(0), ids.get(2));
    }
  }

  @Test
  void tooFewServersFailsNamingHowManyItSees() throws Exception {
    String url = grid(2);
    NodeDirectory c = RunningNodeTest.nodeDir(dir.resolve("client"), "client", url, false);
    try (ClientNode node = ClientNode.open(c.root())) {
      assertThat(node.awaitServers(2, Duration.ofSeconds(30))).isEqualTo(2);
      assertThatThrownBy(() -> node.requireServers(7, Duration.ofSeconds(2)))
          .isInstanceOf(CliException.class)
          .hasMessageContaining("2 of the 7 storage servers needed")
          .hasMessageContaining("1 of 1 introducers reachable")
          .satisfies(e -> assertThat(((CliException) e).exitCode)
              .isEqualTo(ExitCode.UNAVAILABLE));
    }
  }

  @Test
  void refusesAnIntroducerOrAnEmptyDirectory() throws Exception {
    NodeDirectory intro = RunningNodeTest.introducerDir(dir.resolve("intro"));
    assertThatThrownBy(() -> ClientNode.open(intro.root()))
        .isInstanceOf(CliException.class).hasMessageContaining("is an introducer");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertThatThrownBy(() -> ClientNode.open(empty))
        .isInstanceOf(CliException.class).hasMessageContaining("holds no Cairn node")
        .hasMessageContaining("create-node");
  }
}
