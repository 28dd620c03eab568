package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.cairnfs.cli.config.NodeConfig;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The launchers' {@code serves_no_client} (cli/launcher-jit.sh), which gives C1 alone to
 * processes no client verb can reach, run against directories the CLI itself creates: it must agree with
 * {@code RunCommand}'s choice of serving a gateway, or a client node would lose C2's AES and
 * SHA-256 intrinsics.
 */
class LauncherJitTest {
  private static final Path FUNCTION = Path.of("..", "cli", "launcher-jit.sh");

  @TempDir
  Path dir;

  @Test
  void storageNodesAndIntroducersWithoutAGatewayServeNoClient() throws Exception {
    Path storage = dir.resolve("storage node");
    Path client = dir.resolve("client");
    Path intro = dir.resolve("intro");
    String url = "cairn://" + NodeKey.generate().nodeId() + "@127.0.0.1:4000";
    assertThat(cli("create-node", storage.toString(), "--introducer", url)).isZero();
    assertThat(cli("create-node", client.toString(), "--introducer", url, "--no-storage"))
        .isZero();
    assertThat(cli("create-introducer", intro.toString(), "--port", "0")).isZero();

    assertThat(servesNoClient("run", storage.toString())).isEqualTo("yes");
    assertThat(servesNoClient("run", intro.toString())).isEqualTo("yes");
    assertThat(servesNoClient("storage", "--dir", client.toString())).isEqualTo("yes");
    assertThat(servesNoClient("run", "--web-host", "0.0.0.0", storage.toString()))
        .isEqualTo("yes");
    assertThat(servesNoClient("run", storage.toString(), "--web-port", "-1")).isEqualTo("yes");

    assertThat(servesNoClient("run", client.toString())).as("a client node serves its gateway")
        .isEqualTo("no");
    assertThat(servesNoClient("run", "--web-port", "0", storage.toString())).isEqualTo("no");
    assertThat(servesNoClient("run", "--web-port=3456", storage.toString())).isEqualTo("no");
    assertThat(servesNoClient("run", dir.resolve("missing").toString())).isEqualTo("no");
  }

  @Test
  void storageSwitchedOffInAnyWrittenFormKeepsC2() throws Exception {
    Path node = dir.resolve("n");
    Files.createDirectories(node);
    for (String off : List.of("false", "\"No\"", "OFF  # not now")) {
      Files.writeString(node.resolve("cairn.cfg"),
          "[node]\nrole = node\n\n[storage]\n# enabled = true\nenabled = " + off + "\n");
      assertThat(servesNoClient("run", node.toString())).as(off).isEqualTo("no");
    }
    Files.writeString(node.resolve("cairn.cfg"), "[node]\nnickname = n\n");
    assertThat(servesNoClient("run", node.toString()))
        .as("storage on by default, but no key read: unsure, so C2").isEqualTo("no");
  }

  /** Forms the Java parser reads as storage off and awk might not: each must answer "no". */
  @Test
  void storageSwitchedOffInFormsTheConfigParserAcceptsKeepsC2() throws Exception {
    Path node = dir.resolve("n");
    Files.createDirectories(node);
    String head = "[node]\nrole = node\n[client]\nintroducers = cairn://"
        + NodeKey.generate().nodeId() + "@127.0.0.1:4000\n";
    Map<String, String> forms = new LinkedHashMap<>();
    forms.put("comment after [storage]",
        head + "[storage]  # this node stores nothing\nenabled = false\n");
    forms.put("BOM, [storage] first", "\uFEFF[storage]\nenabled = false\n" + head);
    forms.put("CR line ends", (head + "[storage]\nenabled = false\n").replace('\n', '\r'));
    forms.put("U+3000 after the key", head + "[storage]\nenabled\u3000= false\n");
    for (Map.Entry<String, String> e : forms.entrySet()) {
      Files.writeString(node.resolve("cairn.cfg"), e.getValue());
      assertThat(NodeConfig.read(node).storageEnabled()).as("Java: " + e.getKey()).isFalse();
      assertThat(servesNoClient("run", node.toString())).as(e.getKey()).isEqualTo("no");
    }
    Files.writeString(node.resolve("cairn.cfg"),
        "\uFEFF[storage]  # shares here\nenabled = true\n" + head);
    assertThat(NodeConfig.read(node).storageEnabled()).isTrue();
    assertThat(servesNoClient("run", node.toString())).as("BOM and a commented header, on")
        .isEqualTo("yes");
  }

  private static int cli(String... args) {
    CommandLine cl = Cli.commandLine();
    cl.setErr(new PrintWriter(new StringWriter(), true));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    return cl.execute(args);
  }

  /**
   * Sources the launchers' shared function (without running a launcher) and calls it, in bash
   * (./cairn) and in sh (the package's /usr/bin/cairn, dash on Debian), under {@code set -eu}
   * as both launchers run; both must agree.
   */
  private static String servesNoClient(String... args) throws IOException, InterruptedException {
    assertThat(FUNCTION).exists();
    String answer = null;
    for (String shell : List.of("bash", "sh")) {
      List<String> command = new ArrayList<>(List.of(shell, "-c",
          "set -eu; . \"$0\"; serves_no_client \"$@\"", FUNCTION.toString()));
      command.addAll(List.of(args));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(shell + ": " + out).isZero();
      if (answer != null) {
        assertThat(out).as("sh agrees with bash").isEqualTo(answer);
      }
      answer = out;
    }
    return answer;
  }
}
