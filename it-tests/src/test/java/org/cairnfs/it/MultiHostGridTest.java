package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cairnfs.it.Testbed.Host;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A grid across five "hosts" ({@link Testbed}: network namespaces on a bridge, 198.18.0.1-5):
 * an introducer on h1, storage servers on h2-h4, a client on h5, each a separate {@code cairn}
 * JVM on its own host. The client reaches every server; a server whose link is down stops
 * answering and answers again when it is back; 50 ms of delay and 1% loss on the client's and
 * the introducer's links slow connections, but discovery and status still work.
 */
class MultiHostGridTest {
  private static final int INTRODUCER_PORT = 4600;
  private static final int STORAGE_PORT = 4601;
  private static final Duration START = Duration.ofSeconds(60);

  @TempDir
  Path tmp;

  private ChildJvms jvms;
  private Testbed bed;

  @AfterEach
  void tearDown() throws Exception {
    if (jvms != null) {
      jvms.close(); // processes first: they hold sockets in the namespaces
    }
    if (bed != null) {
      bed.close();
      assertThat(Testbed.leftovers()).as("namespaces and links left behind").isEmpty();
    }
  }

  @Test
  void gridFormsAcrossHostsSurvivesALinkDownAndWorksOverASlowLossyLink() throws Exception {
    bed = Testbed.create(5);
    jvms = new ChildJvms(tmp.resolve("logs"));
    Host introducerHost = bed.host(1);
    Host client = bed.host(5);
    List<Host> storageHosts = List.of(bed.host(2), bed.host(3), bed.host(4));

    Path intro = tmp.resolve("intro");
    NodeDirs.cairn("create-introducer", intro.toString(), "--hostname", introducerHost.address(),
        "--port", Integer.toString(INTRODUCER_PORT));
    String url = "cairn://" + NodeDirs.nodeId(intro) + "@" + introducerHost.address() + ":"
        + INTRODUCER_PORT;
    List<Path> servers = new ArrayList<>();
    for (Host h : storageHosts) {
      servers.add(NodeDirs.createNode(tmp.resolve("s" + h.index()), url, "--hostname", h.address(),
          "--port", Integer.toString(STORAGE_PORT), "--max-space", "64M",
          "--reserved-space", "1M"));
    }
    Path clientDir = NodeDirs.createNode(tmp.resolve("client"), url, "--hostname", client.address(),
        "--no-storage");

    // All at once: servers retry the introducer until it listens.
    CairnProcess introducer = jvms.start(introducerHost.exec(), Map.of(), "intro", "run",
        intro.toString());
    List<CairnProcess> serverProcs = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      serverProcs.add(jvms.start(storageHosts.get(i).exec(), Map.of(),
          "s" + storageHosts.get(i).index(), "run", servers.get(i).toString()));
    }
    introducer.awaitOutput("Introducer running", START);
    for (CairnProcess p : serverProcs) {
      p.awaitOutput(" running", START);
    }

    // The client on h5 learns every server from the introducer on h1 and reaches each one.
    String all = awaitStatus(client, clientDir, storageHosts, List.of());
    assertThat(all).contains("Introducers: 1 of 1 reachable; 3 storage servers known");

    // h3's link down: its server no longer answers, the others do; back up, it answers again.
    Host cut = bed.host(3);
    bed.linkDown(cut);
    String down = status(client, clientDir, 0, 2);
    assertThat(line(down, cut)).contains("no answer");
    assertThat(line(down, bed.host(2))).contains("answered");
    assertThat(line(down, bed.host(4))).contains("answered");
    bed.linkUp(cut);
    awaitStatus(client, clientDir, storageHosts, List.of());

    // 50 ms and 1% loss each way on the client's and the introducer's links: a connect from h5
    // takes at least one slowed round trip, yet a client with no cache still discovers every
    // server through the slow introducer, and every server answers over the slow link.
    Duration before = bed.connectTime(client, bed.host(2).address(), STORAGE_PORT);
    Testbed.Impairment slowClient = bed.impair(client, Duration.ofMillis(50), 0.01);
    bed.impair(introducerHost, Duration.ofMillis(50), 0.01);
    Duration after = bed.connectTime(client, bed.host(2).address(), STORAGE_PORT);
    assertThat(after).as("connect time with %s (before: %s)", slowClient.kind(), before)
        .isGreaterThanOrEqualTo(Duration.ofMillis(90));
    Files.deleteIfExists(clientDir.resolve("announcements.cache"));
    String slow = awaitStatus(client, clientDir, storageHosts, List.of());
    assertThat(slow).contains("Introducers: 1 of 1 reachable; 3 storage servers known");
  }

  @Test
  void closeRemovesEveryNamespaceAndLinkEvenWithALinkImpaired() throws Exception {
    Testbed small = Testbed.create(2);
    try {
      small.impair(small.host(1), Duration.ofMillis(5), 0.0);
      assertThat(Testbed.leftovers()).isNotEmpty();
      assertThat(small.connectTime(small.host(2), small.host(1).address(), 9)).isNotNull();
    } catch (java.io.IOException refused) {
      // nothing listens on port 9: a refused connect is expected and proves the path works
      assertThat(refused.getMessage()).contains("failed");
    } finally {
      small.close();
    }
    assertThat(Testbed.leftovers()).isEmpty();
  }

  /** {@code cairn status} run on the client's host, expecting {@code exitCode}. */
  private String status(Host host, Path clientDir, int exitCode, int timeoutSeconds)
      throws Exception {
    CairnProcess p = jvms.exec(host.exec(), Duration.ofSeconds(60), "status", "status",
        clientDir.toString(), "--timeout", Integer.toString(timeoutSeconds));
    assertThat(p.process().exitValue()).as(p.output()).isEqualTo(exitCode);
    return p.output();
  }

  /** Repeats status until every server on {@code answering} answers (announcements take a moment). */
  private String awaitStatus(Host host, Path clientDir, List<Host> answering, List<Host> silent)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String out = "";
    while (System.nanoTime() < deadline) {
      CairnProcess p = jvms.exec(host.exec(), Duration.ofSeconds(60), "status", "status",
          clientDir.toString(), "--timeout", "5");
      out = p.output();
      boolean ok = p.process().exitValue() == 0;
      for (Host h : answering) {
        ok &= line(out, h).contains("answered") && !line(out, h).contains("no answer");
      }
      for (Host h : silent) {
        ok &= line(out, h).contains("no answer");
      }
      if (ok) {
        return out;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("status on " + host + " never showed " + answering
        + " answering; last output:\n" + out);
  }

  /** The status line of the server on {@code h} (by its address), or "" if absent. */
  private static String line(String status, Host h) {
    return status.lines().filter(l -> l.contains(" " + h.address() + ":" + STORAGE_PORT + " "))
        .findFirst().orElse("");
  }
}
