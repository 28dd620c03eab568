package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file verbs as a user runs them: an introducer and ten storage servers, each its own JVM,
 * and every verb its own {@code cairn} process over a client node directory that is NOT
 * running ({@code CAIRN_NODE}), joining the grid itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FileVerbsProcessesTest {
  private static final int SERVERS = 10;
  private static final Duration START = Duration.ofSeconds(180); // eleven JVMs on two shared cores
  private static final Duration VERB = Duration.ofSeconds(120);

  @TempDir
  static Path tmp;

  private ChildJvms jvms;
  private Path client;
  private String introducerUrl;

  @BeforeAll
  void startGrid() throws Exception {
    jvms = new ChildJvms(tmp.resolve("logs"));
    int introducerPort = NodeDirs.freePort();
    Path introducerDir = NodeDirs.createIntroducer(tmp.resolve("introducer"), introducerPort);
    String url = NodeDirs.introducerUrl(introducerDir, introducerPort);
    List<Path> nodes = new ArrayList<>();
    for (int i = 0; i < SERVERS; i++) {
      nodes.add(NodeDirs.createNode(tmp.resolve(String.format("storage-%02d", i)), url,
          "--reserved-space", "0"));
    }
    jvms.runIntroducer(introducerDir, START);
    jvms.runNodes(nodes, START);
    client = NodeDirs.createNode(tmp.resolve("client"), url, "--no-storage");
    introducerUrl = url;
  }

  @AfterAll
  void stopGrid() throws InterruptedException {
    if (jvms != null) {
      jvms.close();
    }
  }

  /** Runs one verb in its own JVM with CAIRN_NODE set; returns its output, asserting the code. */
  private String cairn(int expectedExit, String... args) throws Exception {
    return cairnIn(Map.of("CAIRN_NODE", client.toString()), expectedExit, args);
  }

  private String cairnIn(Map<String, String> env, int expectedExit, String... args)
      throws Exception {
    CairnProcess p = jvms.start(List.of(), env, args[0], args);
    int code = p.awaitExit(VERB);
    assertThat(code).as("cairn %s:%n%s", String.join(" ", args), p.output())
        .isEqualTo(expectedExit);
    return p.output();
  }

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static String lastLine(String out) {
    List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
    return lines.get(lines.size() - 1);
  }

  @Test
  void putGetLsMkdirMvRmCpThroughSeparateProcesses() throws Exception {
    cairn(0, "create-alias", "home");
    byte[] data = bytes(3 << 20, 1);
    Path big = Files.write(tmp.resolve("big"), data);
    String cap = lastLine(cairn(0, "put", big.toString(), "home:big"));
    assertThat(cap).startsWith("cairn:");
    Path byCap = tmp.resolve("big.bycap");
    cairn(0, "get", cap, byCap.toString());
    assertThat(Files.readAllBytes(byCap)).isEqualTo(data);

    cairn(0, "mkdir", "home:d");
    cairn(0, "mv", "home:big", "home:d/big");
    Path out = tmp.resolve("big.out");
    cairn(0, "get", "home:d/big", out.toString());
    assertThat(Files.readAllBytes(out)).isEqualTo(data);

    Path tree = Files.createDirectories(tmp.resolve("tree"));
    for (int i = 0; i < 50; i++) {
      Files.write(tree.resolve("f" + i), bytes(4096, 100 + i));
    }
    Files.write(Files.createDirectories(tree.resolve("sub")).resolve("deep"), bytes(10, 7));
    cairn(0, "cp", "-r", tree.toString(), "home:d/tree");
    assertThat(cairn(0, "ls", "home:d").lines()).contains("big", "tree");
    Path back = tmp.resolve("back");
    cairn(0, "cp", "-r", "home:d/tree", back.toString());
    for (int i = 0; i < 50; i++) {
      assertThat(Files.readAllBytes(back.resolve("f" + i))).isEqualTo(bytes(4096, 100 + i));
    }
    assertThat(Files.readAllBytes(back.resolve("sub/deep"))).isEqualTo(bytes(10, 7));

    cairn(0, "rm", "home:d/big");
    assertThat(cairn(66, "get", "home:d/big", "-"))
        .contains("no such file or directory: home:d/big");
  }

  /**
   * With the client node running ({@code cairn run}), verbs hand their work to it over its
   * local channel and print what the in-process path prints; once the node is killed (its
   * address and token left behind, stale) they work in-process again, silently.
   */
  @Test
  void verbsHandTheirWorkToTheRunningNode() throws Exception {
    Path node = NodeDirs.createNode(tmp.resolve("warm-client"), introducerUrl, "--no-storage");
    CairnProcess run = jvms.start("warm-client-run", "run", node.toString(), "--web-port", "0");
    run.awaitOutput("Gateway: ", START);
    Map<String, String> warm = Map.of("CAIRN_NODE", node.toString(), "CAIRN_DEBUG", "1");
    Map<String, String> cold = Map.of("CAIRN_NODE", node.toString(), "CAIRN_IN_PROCESS", "1");
    String through = "working through the running node at ";
    assertThat(cairnIn(warm, 0, "create-alias", "w")).contains(through);
    byte[] data = bytes((5 << 20) + 17, 11);
    Path big = Files.write(tmp.resolve("warm-big"), data);
    String put = cairnIn(warm, 0, "put", big.toString(), "w:big");
    assertThat(put).contains(through);
    Path back = tmp.resolve("warm-big.back");
    assertThat(cairnIn(warm, 0, "get", "w:big", back.toString())).contains(through);
    assertThat(Files.readAllBytes(back)).isEqualTo(data);
    Path tree = Files.createDirectories(tmp.resolve("warm-tree"));
    for (int i = 0; i < 60; i++) {
      Files.write(tree.resolve("f" + i), bytes(4096, 500 + i));
    }
    assertThat(cairnIn(warm, 0, "cp", "-r", tree.toString(), "w:tree")).contains(through);
    assertThat(cairnIn(warm, 0, "mkdir", "w:d")).contains(through);
    String warmLs = withoutDebug(cairnIn(warm, 0, "ls", "-l", "w:tree"));
    assertThat(warmLs.lines()).hasSize(60);
    assertThat(withoutDebug(cairnIn(cold, 0, "ls", "-l", "w:tree"))).isEqualTo(warmLs);
    assertThat(withoutDebug(cairnIn(warm, 0, "ls", "--json", "w:")))
        .isEqualTo(cairnIn(cold, 0, "ls", "--json", "w:"));
    Map<String, String> warmQuiet = Map.of("CAIRN_NODE", node.toString()); // no traces
    assertThat(cairnIn(warmQuiet, 66, "get", "w:nope", "-"))
        .isEqualTo(cairnIn(cold, 66, "get", "w:nope", "-"));
    assertThat(cairnIn(warmQuiet, 64, "mkdir", "w:d"))
        .isEqualTo(cairnIn(cold, 64, "mkdir", "w:d"));

    run.kill();
    assertThat(node.resolve("web.url")).exists();
    String after = cairnIn(warm, 0, "ls", "w:");
    assertThat(after).doesNotContain(through).doesNotContain("working in-process");
    assertThat(after.lines()).contains("big", "d", "tree");
  }

  private static String withoutDebug(String out) {
    return out.lines().filter(l -> !l.startsWith("cairn: working through the running node"))
        .map(l -> l + "\n").reduce("", String::concat);
  }
}
