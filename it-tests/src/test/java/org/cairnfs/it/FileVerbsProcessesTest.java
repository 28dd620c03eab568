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
  }

  @AfterAll
  void stopGrid() throws InterruptedException {
    if (jvms != null) {
      jvms.close();
    }
  }

  /** Runs one verb in its own JVM with CAIRN_NODE set; returns its output, asserting the code. */
  private String cairn(int expectedExit, String... args) throws Exception {
    CairnProcess p = jvms.start(List.of(), Map.of("CAIRN_NODE", client.toString()), args[0],
        args);
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
}
