package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.lease.Lease;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.ShareRecord;
import org.cairnfs.storage.share.ShareKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file verbs as a user runs them: an introducer and ten storage servers, each its own JVM,
 * and every verb its own {@code cairn} process over a client node directory that is NOT
 * running ({@code CAIRN_NODE}), joining the grid itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FileVerbsProcessesTest {
  private static final int SERVERS = 10;
  private static final Duration START = Duration.ofSeconds(180); // eleven JVMs on two shared cores
  private static final Duration VERB = Duration.ofSeconds(120);

  @TempDir
  static Path tmp;

  private ChildJvms jvms;
  private Path client;
  private final List<Path> nodes = new ArrayList<>();
  private List<CairnProcess> servers;
  private String introducerUrl;

  @BeforeAll
  void startGrid() throws Exception {
    jvms = new ChildJvms(tmp.resolve("logs"));
    int introducerPort = NodeDirs.freePort();
    Path introducerDir = NodeDirs.createIntroducer(tmp.resolve("introducer"), introducerPort);
    String url = NodeDirs.introducerUrl(introducerDir, introducerPort);
    for (int i = 0; i < SERVERS; i++) {
      nodes.add(NodeDirs.renewingEveryTime(NodeDirs.createNode(
          tmp.resolve(String.format("storage-%02d", i)), url, "--reserved-space", "0")));
    }
    jvms.runIntroducer(introducerDir, START);
    servers = jvms.runNodes(nodes, START);
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

  private CairnProcess start(String... args) throws Exception {
    return jvms.start(List.of(), Map.of("CAIRN_NODE", client.toString()), args[0], args);
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
  @Order(1)
  void putGetLsMkdirMvRmCpThroughSeparateProcesses() throws Exception {
    cairn(0, "create-alias", "home");
    byte[] data = bytes(3 << 20, 1);
    Path big = Files.write(tmp.resolve("big"), data);
    String putOutput = cairn(0, "put", big.toString(), "home:big");
    String cap = lastLine(putOutput);
    assertThat(cap).startsWith("cairn:");
    // Not a terminal: no progress drawn, the output is the cap alone.
    assertThat(putOutput).isEqualTo(cap + "\n");
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

  @Test
  @Order(2)
  void twoClientProcessesAddingEntriesToOneDirectoryAtOnceLoseNone() throws Exception {
    cairn(0, "mkdir", "-p", "home:shared/x");
    List<CairnProcess> copies = new ArrayList<>();
    for (String who : List.of("a", "b")) {
      Path src = Files.createDirectories(tmp.resolve("adds-" + who).resolve("shared"));
      for (int i = 0; i < 100; i++) {
        // Distinct contents: the same bytes from two processes of one node at once is the
        // known convergent-upload collision (see the report), not what this test is about.
        Files.write(src.resolve(who + i), bytes(100, who.charAt(0) * 1000 + i));
      }
      // Onto the existing home:shared: its 100 files are merged into it in one change.
      copies.add(start("cp", "-r", src.toString(), "home:"));
    }
    for (CairnProcess p : copies) {
      assertThat(p.awaitExit(VERB)).as(p.output()).isZero();
    }
    List<String> names = cairn(0, "ls", "home:shared").lines().toList();
    assertThat(names).hasSize(201).contains("a0", "a99", "b0", "b99", "x");
  }

  @Test
  @Order(4)
  void serversDownToKStillServeAndDeepCheckAddLeaseRenewsEveryShare() throws Exception {
    byte[] data = bytes(300_000, 9);
    cairn(0, "put", Files.write(tmp.resolve("health"), data).toString(), "home:shared/x/h");
    Thread.sleep(2000); // the leases renewed below must be later than those of the uploads
    Instant before = Instant.now();
    String report = cairn(0, "deep-check", "--add-lease", "-v", "home:");
    Set<StorageIndex> objects = new HashSet<>();
    for (String line : report.lines().toList()) {
      String[] parts = line.split(" ");
      if (parts.length > 1 && parts[1].startsWith("cairn:")) {
        Cap.parse(parts[1].replaceAll(":$", "")).storageIndex().ifPresent(objects::add);
      }
    }
    assertThat(objects).as(report).hasSizeGreaterThanOrEqualTo(5);

    // Seven servers die: every file still reads from the last three (k = 3).
    for (int i = 0; i < 7; i++) {
      servers.get(i).kill();
    }
    Path out = tmp.resolve("health.out");
    cairn(0, "get", "home:shared/x/h", out.toString());
    assertThat(Files.readAllBytes(out)).isEqualTo(data);
    assertThat(cairn(0, "ls", "home:shared").lines().count()).isEqualTo(201);
    // Below happy an upload fails saying why, and no directory shows a half-written entry.
    String failed = cairn(69, "put", big(), "home:shared/never");
    assertThat(failed).contains("servers");
    assertThat(cairn(0, "ls", "home:shared").lines()).doesNotContain("never");

    // On every server's own lease database: the deep-check renewed a lease on every share
    // of every object it visited (read with the servers stopped, as each holds its file locked).
    for (CairnProcess s : servers) {
      s.kill();
    }
    int renewed = 0;
    for (Path node : nodes) {
      try (LeaseDb db = LeaseDb.open(node.resolve("private/leases.sqlite"), InstantSource.system(),
          Duration.ofDays(31))) {
        for (StorageIndex si : objects) {
          for (int n = 0; n < 10; n++) {
            for (ShareKey key : List.of(ShareKey.immutable(si, n), ShareKey.mutable(si, n))) {
              Optional<ShareRecord> r = db.find(key);
              if (r.isPresent()) {
                assertThat(r.get().leases()).as("%s on %s", key, node)
                    .extracting(Lease::expiry)
                    .anyMatch(e -> !e.isBefore(before.plus(Duration.ofDays(31))));
                renewed++;
              }
            }
          }
        }
      }
    }
    assertThat(renewed).isGreaterThanOrEqualTo(objects.size() * 7); // happy = 7
  }

  private String big() throws Exception {
    return Files.write(tmp.resolve("never"), bytes(1000, 3)).toString();
  }

  /**
   * With the client node running ({@code cairn run}), verbs hand their work to it over its
   * local channel and print what the in-process path prints; once the node is killed (its
   * address and token left behind, stale) they work in-process again, silently.
   */
  @Test
  @Order(3) // before the servers are killed
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
    assertThat(cairnIn(warmQuiet, 2, "mkdir", "w:d"))
        .isEqualTo(cairnIn(cold, 2, "mkdir", "w:d"));

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
