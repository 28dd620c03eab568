package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.cli.config.NodeConfig;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The commands that need no running grid, run in-process through the CLI edge. */
class CommandLineTest {
  @TempDir
  Path dir;

  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = Cli.commandLine();
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    return cl.execute(args);
  }

  private String introducerUrl() throws Exception {
    NodeKey key = NodeKey.generate();
    return "cairn://" + key.nodeId() + "@127.0.0.1:4000";
  }

  @Test
  void createNodeWritesAConfigThatReadsBack() throws Exception {
    Path node = dir.resolve("n1");
    String url = introducerUrl();
    assertThat(run("create-node", node.toString(), "--introducer", url, "--nickname", "alice",
        "--max-space", "2G")).isZero();
    NodeConfig config = NodeConfig.read(node);
    assertThat(config.nickname()).isEqualTo("alice");
    assertThat(config.introducers()).containsExactly(url);
    assertThat(config.storageEnabled()).isTrue();
    assertThat(RunningNode.storageConfig(config).maxSpace()).isEqualTo(2L << 30);
    assertThat(NodeKey.load(node.resolve("node.key")).nodeId()).isNotNull();
  }

  @Test
  void createNodeWritesTheSharesItIsGiven() throws Exception {
    String url = introducerUrl();
    Path small = dir.resolve("small");
    assertThat(run("create-node", small.toString(), "--introducer", url, "--shares-needed", "2",
        "--shares-total", "4")).isZero();
    EncodingParams p = NodeConfig.read(small).client().encoding();
    assertThat(List.of(p.k(), p.happy(), p.n())).containsExactly(2, 4, 4);
    // left out, the defaults stay comments in the file
    Path plain = dir.resolve("plain");
    assertThat(run("create-node", plain.toString(), "--introducer", url)).isZero();
    assertThat(NodeConfig.read(plain).client().encoding()).isEqualTo(EncodingParams.DEFAULTS);
    assertThat(Files.readString(plain.resolve("cairn.cfg"))).contains("# shares-happy = 7");
    // what the config would refuse is a usage error, and nothing is created
    assertThat(run("create-node", dir.resolve("bad").toString(), "--introducer", url,
        "--shares-happy", "12")).isEqualTo(ExitCode.USAGE.code);
    assertThat(err.toString()).contains("happy must be between k (3) and n (10), got 12");
    assertThat(dir.resolve("bad")).doesNotExist();
  }

  @Test
  void createNodeRefusesAnExistingNode() throws Exception {
    Path node = dir.resolve("n1");
    String url = introducerUrl();
    assertThat(run("create-node", node.toString(), "--introducer", url)).isZero();
    assertThat(run("create-node", node.toString(), "--introducer", url))
        .isEqualTo(ExitCode.USAGE.code);
    assertThat(err.toString()).contains("already holds a node");
  }

  @Test
  void badIntroducerUrlIsAUsageError() {
    assertThat(run("create-node", dir.resolve("n").toString(), "--introducer", "http://x"))
        .isEqualTo(ExitCode.USAGE.code);
    assertThat(err.toString()).contains("bad --introducer 'http://x'");
    assertThat(Files.exists(dir.resolve("n"))).isFalse();
  }

  @Test
  void badSizeIsAUsageError() throws Exception {
    assertThat(run("create-node", dir.resolve("n").toString(), "--introducer", introducerUrl(),
        "--max-space", "lots")).isEqualTo(ExitCode.USAGE.code);
    assertThat(err.toString()).contains("bad --max-space 'lots'");
  }

  @Test
  void runWithBadConfigNamesFileLineAndExits78() throws Exception {
    Path node = dir.resolve("n1");
    assertThat(run("create-node", node.toString(), "--introducer", introducerUrl())).isZero();
    Path cfg = node.resolve("cairn.cfg");
    Files.writeString(cfg, Files.readString(cfg).replace("max-space =", "max-space = 12 parsecs"));
    assertThat(run("run", node.toString())).isEqualTo(ExitCode.CONFIG.code);
    assertThat(err.toString()).contains("cairn.cfg:").contains("'storage.max-space' must be a size");
  }

  @Test
  void nodeWithoutIntroducerIsAConfigError() throws Exception {
    Path node = dir.resolve("n1");
    assertThat(run("create-node", node.toString(), "--introducer", introducerUrl())).isZero();
    Path cfg = node.resolve("cairn.cfg");
    Files.writeString(cfg, Files.readString(cfg).replaceAll("introducers = .*", "introducers ="));
    assertThat(run("status", node.toString())).isEqualTo(ExitCode.CONFIG.code);
    assertThat(err.toString()).contains("needs at least one introducer");
  }

  @Test
  void createIntroducerThenStatusOnItIsRefused() {
    Path intro = dir.resolve("intro");
    assertThat(run("create-introducer", intro.toString(), "--port", "0")).isZero();
    assertThat(Files.exists(intro.resolve("cairn.cfg"))).isTrue();
    assertThat(run("status", intro.toString())).isEqualTo(ExitCode.USAGE.code);
    assertThat(err.toString()).contains("is an introducer");
  }

  @Test
  void everyUsageErrorExits64WithAHint() throws Exception {
    String url = introducerUrl();
    String[][] cases = {
        {"create-node", dir.resolve("a").toString(), "--introducer", url, "--port", "abc"},
        {"create-node", dir.resolve("b").toString()},
        {"create-node", "--introducer", url},
        {"no-such-command"},
        {},
        {"create-node", dir.resolve("c").toString(), "--introducer", url, "--port", "70000"},
    };
    for (String[] args : cases) {
      err.getBuffer().setLength(0);
      assertThat(run(args)).as(String.join(" ", args) + ": " + err).isEqualTo(2);
      assertThat(err.toString()).startsWith("cairn: ");
    }
    assertThat(dir.resolve("a")).doesNotExist();
  }

  @Test
  void hashInValuesRoundTripsThroughCreateNode() throws Exception {
    Path node = dir.resolve("n1");
    assertThat(run("create-node", node.toString(), "--introducer", introducerUrl(),
        "--nickname", "alice#1", "--storage-dir", dir.resolve("disk#2").toString())).isZero();
    NodeConfig config = NodeConfig.read(node);
    assertThat(config.nickname()).isEqualTo("alice#1");
    assertThat(config.storageDir()).isEqualTo(dir.resolve("disk#2"));
  }

  @Test
  void createNodeRefusesWhatRunWouldReject() throws Exception {
    String url = introducerUrl();
    assertThat(run("create-node", dir.resolve("a").toString(), "--introducer", url,
        "--nickname", "two\nlines")).isEqualTo(2);
    assertThat(err.toString()).contains("bad --nickname").contains("line break");
    assertThat(run("create-node", dir.resolve("c").toString(), "--introducer", url,
        "--nickname", "1s\u202E")).isEqualTo(2);
    assertThat(err.toString()).contains("format character").contains("U+202E");
    assertThat(dir.resolve("c")).doesNotExist();
    assertThat(run("create-node", dir.resolve("b").toString(), "--introducer", url,
        "--hostname", "not a host")).isEqualTo(2);
    assertThat(err.toString()).contains("bad --hostname").contains("'not a host' is not a host");
    assertThat(dir.resolve("a")).doesNotExist();
    assertThat(dir.resolve("b")).doesNotExist();
  }

  @Test
  void severalIntroducersMaySeparateWithCommas() throws Exception {
    String a = introducerUrl();
    String b = introducerUrl();
    Path node = dir.resolve("n1");
    assertThat(run("create-node", node.toString(), "--introducer", a + "," + b)).isZero();
    assertThat(NodeConfig.read(node).introducers()).containsExactly(a, b);
  }

  @Test
  void runOnADirectoryWithoutANodeCreatesNothing() {
    Path missing = dir.resolve("nonexistent");
    assertThat(run("run", missing.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("no such directory").contains("cairn create-node");
    assertThat(missing).doesNotExist();
  }

  @Test
  void defaultNodeDirectoryFollowsCairnDirThenHome() {
    assertThat(Cli.home()).isEqualTo(java.nio.file.Path.of(System.getenv("HOME")));
  }

  @Test
  void everyCommandPrintsItsOwnHelpWhateverItRequires() {
    for (Class<?> c : CairnCommand.SUBCOMMANDS) {
      String name = c.getAnnotation(CommandLine.Command.class).name();
      for (String flag : new String[] {"--help", "-h"}) {
        StringWriter out = new StringWriter();
        CommandLine cl = Cli.commandLineFor(new String[] {name, flag});
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute(name, flag)).as(name + " " + flag).isZero();
        assertThat(out.toString()).as(name).startsWith("Usage: cairn " + name);
      }
    }
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void aNamedCommandBuildsOnlyItselfAndAnythingElseBuildsAll() {
    assertThat(Cli.named(new String[] {"ls", "-l", "a:"})).containsExactly(ListCommand.class);
    assertThat(Cli.named(new String[] {"deep-check", "a:"}))
        .containsExactly(HealthCommands.DeepCheck.class);
    assertThat(Cli.named(new String[] {"lss"})).isEqualTo(CairnCommand.SUBCOMMANDS);
    assertThat(Cli.named(new String[] {"--help"})).isEqualTo(CairnCommand.SUBCOMMANDS);
    assertThat(Cli.named(new String[0])).isEqualTo(CairnCommand.SUBCOMMANDS);
    // every subcommand is reachable by its own name, and the names are distinct
    java.util.Set<String> names = new java.util.HashSet<>();
    for (Class<?> c : CairnCommand.SUBCOMMANDS) {
      String name = c.getAnnotation(CommandLine.Command.class).name();
      assertThat(names.add(name)).as(name).isTrue();
      assertThat(Cli.named(new String[] {name})).containsExactly(c);
    }
  }

  @Test
  void aMistypedCommandStillGetsSuggestionsFromTheWholeList() {
    CommandLine cl = Cli.commandLineFor(new String[] {"lss"});
    cl.setErr(new PrintWriter(err, true));
    assertThat(cl.execute("lss")).isEqualTo(ExitCode.USAGE.code);
    assertThat(err.toString()).contains("Did you mean").contains("ls");
  }
}
