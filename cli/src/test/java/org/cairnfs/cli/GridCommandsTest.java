package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code demo} and {@code status} run in this JVM against real servers on loopback. */
class GridCommandsTest {
  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final List<RunningNode> running = new ArrayList<>();

  @AfterEach
  void tearDown() {
    for (int i = running.size() - 1; i >= 0; i--) {
      running.get(i).close();
    }
    // demo sends logs to its state dir; stop that before the temp dir goes.
    FileLog.detach();
  }

  private int run(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    CommandLine cl = Cli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private RunningNode start(NodeDirectory d) throws Exception {
    RunningNode node = RunningNode.start(d);
    running.add(node);
    return node;
  }

  private static long lines(String text, String containing) {
    return text.lines().filter(l -> l.contains(containing)).count();
  }

  @Test
  void demoStartsAGridThenReusesItsNodes() throws Exception {
    Path state = dir.resolve("state");
    assertThat(run("demo", dir.resolve("mnt").toString(), "--state", state.toString(),
        "--servers", "2", "--exit-when-ready")).as(err.toString()).isZero();
    assertThat(out.toString()).contains("Cairn demo grid: introducer cairn://")
        .contains("storage-00").contains("storage-01")
        .contains("2 of 2 storage servers up; state in " + state.toAbsolutePath());
    assertThat(state.resolve(DemoCommand.CLIENT)).as("no client when only the grid is wanted")
        .doesNotExist();
    assertThat(lines(out.toString(), " free ")).isEqualTo(2);
    assertThat(state.resolve("logs/cairn.log")).exists();
    String introducerKey = NodeKey.load(state.resolve("introducer/node.key")).nodeId().toString();
    String serverKey = NodeKey.load(state.resolve("storage-01/node.key")).nodeId().toString();

    assertThat(run("demo", dir.resolve("mnt").toString(), "--state", state.toString(),
        "--servers", "2", "--exit-when-ready")).as(err.toString()).isZero();
    assertThat(out.toString()).contains(introducerKey).contains("2 of 2 storage servers up");
    assertThat(NodeKey.load(state.resolve("storage-01/node.key")).nodeId().toString())
        .isEqualTo(serverKey);
    assertThat(state.resolve("storage-02")).doesNotExist();
  }

  @Test
  void demoRefusesAServerCountOutsideOneTo256() {
    for (String count : List.of("0", "257", "-1")) {
      assertThat(run("demo", dir.toString(), "--state", dir.resolve("s").toString(),
          "--servers", count)).isEqualTo(ExitCode.USAGE.code);
      assertThat(err.toString()).contains("--servers must be 1-256, got " + count);
    }
    assertThat(dir.resolve("s")).doesNotExist();
  }

  @Test
  void statusListsEveryServerAndWhetherItAnswers() throws Exception {
    RunningNode intro = start(RunningNodeTest.introducerDir(dir.resolve("intro")));
    String url = intro.introducer().url("127.0.0.1").toString();
    NodeDirectory a = RunningNodeTest.nodeDir(dir.resolve("a"), "alpha", url, true);
    NodeDirectory b = RunningNodeTest.nodeDir(dir.resolve("b"), "beta", url, true);
    RunningNode nodeA = start(a);
    RunningNode nodeB = start(b);
    nodeA.membership().awaitServers(2, Duration.ofSeconds(20));
    Files.write(a.root().resolve("storage/shares/probe"), new byte[1234]);

    assertThat(run("status", "--node", a.root().toString())).as(err.toString()).isZero();
    String text = out.toString();
    assertThat(text).contains("Introducers: 1 of 1 reachable; 2 storage servers known");
    assertThat(lines(text, "answered")).isEqualTo(2);
    assertThat(text).contains("alpha").contains("beta")
        .contains(nodeB.storage().nodeId().shortForm())
        .contains("127.0.0.1:" + nodeB.storage().port());
    assertThat(text).containsPattern("This node \\(\\S+\\) stores 1\\.2K in ");
    assertThat(text).contains("Uploads: any 3 of 10 shares rebuild a file; they must reach 7"
        + " servers: NOT possible now, 2 up with room (reads need 3; [client] shares-happy in "
        + a.config() + " sets how many)");

    assertThat(text).doesNotContain(nodeB.storage().nodeId().toString());
    out.getBuffer().setLength(0);
    assertThat(run("status", "--node", a.root().toString(), "--full-ids")).isZero();
    assertThat(out.toString()).contains(nodeB.storage().nodeId().toString())
        .contains(nodeA.storage().nodeId().toString());

    // Both servers stop; the node still knows them (introducer and its cache) and says so.
    nodeA.close();
    nodeB.close();
    assertThat(run("status", a.root().toString(), "--timeout", "1")) // DIR, as before --node
        .isEqualTo(ExitCode.UNAVAILABLE.code);
    assertThat(lines(out.toString(), "no answer (")).isEqualTo(2);
    assertThat(out.toString()).contains("2 storage servers known");
  }

  @Test
  void statusTakesTheNodeDirectoryOnce() throws Exception {
    assertThat(run("status", dir.resolve("x").toString(), "--node", dir.resolve("y").toString()))
        .isEqualTo(ExitCode.USAGE.code);
    assertThat(err.toString()).contains("give the node directory once");
  }

  @Test
  void statusWithNoIntroducerAndNoCacheKnowsNoServers() throws Exception {
    NodeDirectory d = RunningNodeTest.nodeDir(dir.resolve("n"), "lonely",
        RunningNodeTest.someIntroducerUrl(), false);
    assertThat(run("status", d.root().toString(), "--timeout", "1")).as(err.toString())
        .isEqualTo(ExitCode.UNAVAILABLE.code);
    assertThat(out.toString()).contains("Introducers: 0 of 1 reachable; 0 storage servers known")
        .doesNotContain("This node");
    assertThat(err.toString()).contains("no storage server answered");
  }

  @Test
  void bytesUnderCountsRegularFilesOnlyAndAMissingDirAsZero() throws Exception {
    assertThat(StatusCommand.bytesUnder(dir.resolve("missing"))).isZero();
    Files.createDirectories(dir.resolve("t/sub"));
    Files.write(dir.resolve("t/a"), new byte[10]);
    Files.write(dir.resolve("t/sub/b"), new byte[32]);
    assertThat(StatusCommand.bytesUnder(dir.resolve("t"))).isEqualTo(42);
  }
}
