package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code cairn} command as a user meets it, in real processes: exit codes (64 usage,
 * 78 config), messages naming the fault and the fix, and a demo grid that survives a restart.
 */
class CliEdgeTest {
  private static final Duration EXIT = Duration.ofSeconds(60);

  @TempDir
  Path tmp;

  private ChildJvms jvms;

  @BeforeEach
  void setUp() {
    jvms = new ChildJvms(tmp.resolve("logs"));
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    jvms.close();
  }

  @Test
  void createNodeWithMalformedIntroducerUrlIsUsageErrorNamingTheFault() throws Exception {
    String id = NodeKey.generate().nodeId().toString();
    Map<String, String> faultByUrl = new LinkedHashMap<>();
    faultByUrl.put("http://" + id + "@127.0.0.1:4001", "must start with 'cairn://'");
    faultByUrl.put("cairn://" + id + "@127.0.0.1", "missing ':port'");
    faultByUrl.put("cairn://" + id + "@127.0.0.1:99999", "port");
    faultByUrl.put("cairn://abc@127.0.0.1:4001", "bad node id");
    faultByUrl.put("cairn://" + "1".repeat(52) + "@127.0.0.1:4001", "bad node id");
    faultByUrl.put("cairn://127.0.0.1:4001", "missing '@'");

    List<CairnProcess> runs = new ArrayList<>();
    List<Path> dirs = new ArrayList<>();
    int i = 0;
    for (String url : faultByUrl.keySet()) {
      Path dir = tmp.resolve("node-" + i++);
      dirs.add(dir);
      runs.add(jvms.start("create-node-" + i, "create-node", dir.toString(), "--introducer", url));
    }
    i = 0;
    for (Map.Entry<String, String> e : faultByUrl.entrySet()) {
      CairnProcess p = runs.get(i);
      int code = p.awaitExit(EXIT);
      String out = p.output();
      assertThat(code).as("exit code for %s; output: %s", e.getKey(), out).isEqualTo(2);
      assertThat(out).contains("bad --introducer '" + e.getKey() + "'").contains(e.getValue());
      assertThat(out).as("no stack trace").doesNotContain("\tat ");
      assertThat(dirs.get(i).resolve("cairn.cfg")).doesNotExist();
      i++;
    }
  }

  @Test
  void runWithBadConfigIsConfigErrorNamingFileLineAndFix() throws Exception {
    String introducer = NodeDirs.absentIntroducerUrl();
    List<Case> cases = List.of(
        new Case("unknown-key", cfg -> insertAfter(cfg, "[storage]", "max-spcae = 10G"),
            "max-spcae = 10G", "unknown key 'storage.max-spcae'; known keys: "),
        new Case("bad-max-space", cfg -> replaceValue(cfg, "max-space", "12Q"),
            "max-space = 12Q",
            "'storage.max-space' must be a size like 500M, 200G or 1.5T"),
        new Case("bad-reserved-space", cfg -> replaceValue(cfg, "reserved-space", "lots"),
            "reserved-space = lots",
            "'storage.reserved-space' must be a size like 500M, 200G or 1.5T"),
        new Case("bad-port", cfg -> replaceValue(cfg, "port", "70000"), "port = 70000",
            "'node.port' must be a port 0-65535"),
        new Case("key-outside-section", cfg -> "nickname = x\n" + cfg, "nickname = x",
            "key outside any section; put it under a [section]"));

    List<CairnProcess> runs = new ArrayList<>();
    List<String> expectedPrefixes = new ArrayList<>();
    for (Case c : cases) {
      Path dir = NodeDirs.createNode(tmp.resolve(c.name()), introducer);
      Path cfg = dir.resolve("cairn.cfg");
      String edited = c.edit().apply(Files.readString(cfg, StandardCharsets.UTF_8));
      Files.writeString(cfg, edited, StandardCharsets.UTF_8);
      expectedPrefixes.add(cfg + ":" + lineOfChange(edited, c) + ": ");
      runs.add(jvms.start("run-" + c.name(), "run", dir.toString()));
    }
    for (int i = 0; i < cases.size(); i++) {
      CairnProcess p = runs.get(i);
      int code = p.awaitExit(EXIT);
      String out = p.output();
      assertThat(code).as("%s exit code; output: %s", cases.get(i).name(), out).isEqualTo(78);
      assertThat(out).contains("cairn: " + expectedPrefixes.get(i) + cases.get(i).message());
      assertThat(out).as("no stack trace").doesNotContain("\tat ");
    }
  }

  @Test
  void demoExitsWhenReadyAndReusesItsStateOnTheSecondRun() throws Exception {
    Path state = tmp.resolve("demo-state");
    String[] args = {"demo", tmp.resolve("mnt").toString(), "--state", state.toString(),
        "--servers", "3", "--exit-when-ready"};
    CairnProcess first = jvms.exec(Duration.ofSeconds(120), "demo-1", args);
    assertThat(first.process().exitValue()).as(first.output()).isZero();
    assertThat(first.output()).contains("3 of 3 storage servers up");
    List<NodeId> ids = demoNodeIds(state);
    for (NodeId id : ids.subList(1, ids.size())) {
      assertThat(first.output()).contains(id.shortForm());
    }

    CairnProcess second = jvms.exec(Duration.ofSeconds(120), "demo-2", args);
    assertThat(second.process().exitValue()).as(second.output()).isZero();
    assertThat(second.output()).contains("3 of 3 storage servers up");
    assertThat(demoNodeIds(state)).as("same nodes, same keys").isEqualTo(ids);
    for (NodeId id : ids.subList(1, ids.size())) {
      assertThat(second.output()).contains(id.shortForm());
    }
    try (var entries = Files.list(state)) {
      assertThat(entries.map(p -> p.getFileName().toString()).filter(n -> !n.equals("logs")))
          .containsExactlyInAnyOrder("introducer", "storage-00", "storage-01", "storage-02");
    }
  }

  private static List<NodeId> demoNodeIds(Path state) throws Exception {
    List<NodeId> ids = new ArrayList<>();
    ids.add(NodeDirs.nodeId(state.resolve("introducer")));
    for (int i = 0; i < 3; i++) {
      ids.add(NodeDirs.nodeId(state.resolve(String.format("storage-%02d", i))));
    }
    return ids;
  }

  /** One broken config: how to break it and what the error must say. */
  private record Case(String name, UnaryOperator<String> edit, String changedLine, String message) {}

  private static String insertAfter(String cfg, String line, String inserted) {
    return cfg.replace(line + "\n", line + "\n" + inserted + "\n");
  }

  /** Sets {@code key = value} on the line defining {@code key} (the first such line). */
  private static String replaceValue(String cfg, String key, String value) {
    String[] lines = cfg.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].matches(key + "\\s*=.*")) {
        lines[i] = key + " = " + value;
        return String.join("\n", lines);
      }
    }
    throw new AssertionError("no line '" + key + " = ...' in\n" + cfg);
  }

  /** The 1-based line the case changed. */
  private static int lineOfChange(String cfg, Case c) {
    String[] lines = cfg.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].equals(c.changedLine())) {
        return i + 1;
      }
    }
    throw new AssertionError("line '" + c.changedLine() + "' not in\n" + cfg);
  }
}
