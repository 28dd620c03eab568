package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rough edges a newcomer hit (issue 11), each in real {@code cairn} processes: usage errors
 * exit 64, status without an answering server exits 69, a '#' in a value survives, start-up
 * faults name the fault and the fix (and are logged, with a trace under CAIRN_DEBUG), stopped
 * servers show when they were last announced, the demo moves a taken port, status finds the
 * demo's node, $HOME is respected, and {@code cairn storage} creates, updates and serves.
 */
class NodeRoughEdgesTest {
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
  void everyUsageErrorExits64() throws Exception {
    String url = NodeDirs.absentIntroducerUrl();
    List<String[]> cases = List.of(
        new String[] {"create-node", tmp.resolve("a").toString(), "--introducer", url, "--port", "abc"},
        new String[] {"create-node", tmp.resolve("b").toString()},
        new String[] {"create-node", "--introducer", url},
        new String[] {"frobnicate"},
        new String[] {"storage", "--dir", tmp.resolve("c").toString()});
    List<CairnProcess> runs = new ArrayList<>();
    for (String[] args : cases) {
      runs.add(jvms.start("usage-" + runs.size(), args));
    }
    for (int i = 0; i < runs.size(); i++) {
      CairnProcess p = runs.get(i);
      assertThat(p.awaitExit(EXIT)).as("cairn %s: %s", String.join(" ", cases.get(i)), p.output())
          .isEqualTo(2);
      assertThat(p.output()).contains("cairn: ").doesNotContain("\tat ");
    }
    assertThat(runs.get(4).output()).contains("needs --introducer");
  }

  @Test
  void hashInPathAndNicknameRoundTripsAndStatusWithoutAnyServerExits69() throws Exception {
    Path disk = tmp.resolve("disk#2");
    Path node = tmp.resolve("n1");
    NodeDirs.cairn("create-node", node.toString(), "--introducer", NodeDirs.absentIntroducerUrl(),
        "--storage-dir", disk.toString(), "--nickname", "alice#1");
    CairnProcess run = jvms.run(node);
    run.awaitOutput(" running", EXIT);
    assertThat(run.output()).contains("Node alice#1 running").contains("serving shares from " + disk);
    assertThat(disk.resolve("shares")).isDirectory();
    assertThat(node.resolve("private/leases.sqlite")).exists();
    assertThat(disk.resolve("leases.sqlite")).doesNotExist();
    assertThat(tmp.resolve("disk")).doesNotExist();

    Path lonely = NodeDirs.createNode(tmp.resolve("lonely"), NodeDirs.absentIntroducerUrl(),
        "--no-storage");
    CairnProcess status = jvms.exec(EXIT, "status", "status", lonely.toString(), "--timeout", "1");
    assertThat(status.process().exitValue()).as(status.output()).isEqualTo(69);
    assertThat(status.output()).contains("Introducers: 0 of 1 reachable")
        .contains("no storage server answered and no introducer was reachable");
  }

  @Test
  void startupFaultsNameTheFaultAndTheFixAreLoggedAndTracedOnRequest() throws Exception {
    String url = NodeDirs.absentIntroducerUrl();
    Path badHost = NodeDirs.createNode(tmp.resolve("bad-host"), url);
    replace(badHost, "hostname = 127.0.0.1", "hostname = not a host");
    Path fileDisk = Files.writeString(tmp.resolve("a-file"), "not a directory");
    Path fileStorage = NodeDirs.createNode(tmp.resolve("file-storage"), url,
        "--storage-dir", fileDisk.toString());
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Path portTaken = NodeDirs.createNode(tmp.resolve("port-taken"), url,
          "--port", Integer.toString(taken.getLocalPort()));
      CairnProcess host = jvms.start(List.of(), Map.of("CAIRN_DEBUG", "1"), "bad-host", "run",
          badHost.toString());
      CairnProcess file = jvms.start("file-storage", "run", fileStorage.toString());
      CairnProcess port = jvms.start("port-taken", "run", portTaken.toString());

      assertThat(host.awaitExit(EXIT)).as(host.output()).isEqualTo(78);
      assertThat(host.output()).contains("'node.hostname': 'not a host' is not a host name or IP"
          + " address").contains("use the name or address other machines reach this one at")
          .as("CAIRN_DEBUG=1 prints the trace for every exit code").contains("\tat ");
      assertThat(log(badHost)).contains("exiting with code 78").contains("not a host name");

      assertThat(file.awaitExit(EXIT)).as(file.output()).isEqualTo(78);
      assertThat(file.output()).contains("storage dir " + fileDisk + " is a file, not a directory;"
          + " set 'dir' under [storage] to a directory").doesNotContain("\tat ");
      assertThat(log(fileStorage)).contains("is a file, not a directory");

      assertThat(port.awaitExit(EXIT)).as(port.output()).isEqualTo(74);
      assertThat(port.output()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .contains("the port is taken").contains("change 'port' or 'hostname' under [node]");
      assertThat(log(portTaken)).contains("exiting with code 74");
    }
  }

  @Test
  void aStoppedServerShowsWhenItWasLastAnnouncedAfterTheIntroducerRestarts() throws Exception {
    int introPort = NodeDirs.freePort();
    Path intro = NodeDirs.createIntroducer(tmp.resolve("intro"), introPort);
    String url = NodeDirs.introducerUrl(intro, introPort);
    Path server = NodeDirs.createNode(tmp.resolve("s1"), url);
    Path client = NodeDirs.createNode(tmp.resolve("client"), url, "--no-storage");
    CairnProcess introducer = jvms.runIntroducer(intro, EXIT);
    CairnProcess storage = jvms.run(server);
    storage.awaitOutput(" running", EXIT);
    untilStatusShows(client, "answered");

    storage.kill();
    introducer.stop(Duration.ofSeconds(10));
    jvms.runIntroducer(intro, EXIT);
    CairnProcess after = jvms.exec(EXIT, "status-after", "status", client.toString(),
        "--timeout", "10");
    assertThat(after.process().exitValue()).as(after.output()).isEqualTo(69);
    assertThat(after.output()).contains("Introducers: 1 of 1 reachable")
        .containsPattern("s1 .* no answer \\(.*\\); not announced by the introducers now, last"
            + " announced \\d+ s ago; forgotten in 2 d 23 h unless it announces itself again");
  }

  @Test
  void demoMovesATakenPortAndStatusFindsTheDemoNodeUnderHome() throws Exception {
    Path home = tmp.resolve("home");
    Map<String, String> env = new HashMap<>();
    env.put("CAIRN_DIR", null);
    env.put("HOME", home.toString());
    String[] demo = {"demo", tmp.resolve("mnt").toString(), "--servers", "1", "--exit-when-ready"};
    CairnProcess first = jvms.start(List.of(), env, "demo-1", demo);
    assertThat(first.awaitExit(Duration.ofSeconds(120))).as(first.output()).isZero();
    Path introCfg = home.resolve(".cairn/demo/introducer/cairn.cfg");
    assertThat(introCfg).as("state under $HOME, not the password database's home").exists();

    int port = Integer.parseInt(Files.readAllLines(introCfg).stream()
        .filter(l -> l.startsWith("port = ")).findFirst().orElseThrow().substring(7).strip());
    try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      CairnProcess second = jvms.start(List.of(), env, "demo-2", demo);
      assertThat(second.awaitExit(Duration.ofSeconds(120))).as(second.output()).isZero();
      assertThat(second.output()).contains("Port " + port + " of the demo's introducer is taken by"
          + " another program; moved it to").contains("1 of 1 storage servers up");
    }

    CairnProcess status = jvms.start(List.of(), env, "status", "status", "--timeout", "1");
    status.awaitExit(EXIT);
    assertThat(status.output()).contains("showing the demo's node "
        + home.resolve(".cairn/demo/storage-00"));
  }

  @Test
  void storageCreatesOnTheFirstRunUpdatesOnTheNextAndWarnsAboutSpace() throws Exception {
    int introPort = NodeDirs.freePort();
    Path intro = NodeDirs.createIntroducer(tmp.resolve("intro"), introPort);
    String url = NodeDirs.introducerUrl(intro, introPort);
    jvms.runIntroducer(intro, EXIT);
    Path dir = tmp.resolve("spare#1");
    CairnProcess first = jvms.start("storage-1", "storage", "--introducer", url, "--dir",
        dir.toString(), "--max-space", "100P", "--hostname", "127.0.0.1");
    first.awaitOutput("serving shares from " + dir.resolve("storage"), EXIT);
    assertThat(first.output()).contains("Created storage node spare#1")
        .contains("Offering up to 100P").contains("warning: max space 100P is more than the disk");
    Path client = NodeDirs.createNode(tmp.resolve("client"), url, "--no-storage");
    untilStatusShows(client, "spare#1");
    first.stop(Duration.ofSeconds(20));

    CairnProcess second = jvms.start("storage-2", "storage", "--dir", dir.toString(),
        "--max-space", "2G");
    second.awaitOutput(" running", EXIT);
    assertThat(second.output()).contains("Changing storage.max-space from '100P' to '2G'")
        .contains("Offering up to 2G").doesNotContain("Created");
    assertThat(Files.readString(dir.resolve("cairn.cfg"))).contains("max-space = 2G");
  }

  /** Runs status on {@code client} until it exits 0 showing {@code text} (60 s at most). */
  private void untilStatusShows(Path client, String text) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      CairnProcess s = jvms.exec(EXIT, "status", "status", client.toString());
      last = s.output();
      if (s.process().exitValue() == 0 && last.contains(text)) {
        return;
      }
      Thread.sleep(300);
    }
    throw new AssertionError("status of " + client + " never showed '" + text + "':\n" + last);
  }

  private static void replace(Path node, String from, String to) throws Exception {
    Path cfg = node.resolve("cairn.cfg");
    String text = Files.readString(cfg, StandardCharsets.UTF_8);
    assertThat(text).contains(from);
    Files.writeString(cfg, text.replace(from, to), StandardCharsets.UTF_8);
  }

  private static String log(Path node) throws Exception {
    return Files.readString(node.resolve("logs/cairn.log"), StandardCharsets.UTF_8);
  }
}
