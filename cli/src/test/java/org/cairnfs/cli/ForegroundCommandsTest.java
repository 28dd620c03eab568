package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cairnfs.cli.config.NodeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code storage} and {@code run}, the commands that serve in the foreground, run in this JVM
 * on a thread that is interrupted to stop them, against a real introducer on loopback.
 */
class ForegroundCommandsTest {
  @TempDir
  Path dir;

  private RunningNode introducer;

  @AfterEach
  void tearDown() {
    if (introducer != null) {
      introducer.close();
    }
    FileLog.detach();
  }

  private String introducerUrl() throws Exception {
    introducer = RunningNode.start(RunningNodeTest.introducerDir(dir.resolve("intro")));
    return introducer.introducer().url("127.0.0.1").toString();
  }

  /** A command running on its own thread until it printed {@code ready}. */
  private static final class Foreground implements AutoCloseable {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final AtomicInteger exit = new AtomicInteger(-1);
    final Thread thread;

    Foreground(String ready, String... args) throws Exception {
      thread = new Thread(() -> {
        CommandLine cl = Cli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        exit.set(cl.execute(args));
      }, "foreground-under-test");
      thread.start();
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!out.toString().contains(ready)) {
        assertThat(thread.isAlive()).as("ended early: " + out + err).isTrue();
        assertThat(System.nanoTime()).as("ready: " + out + err).isLessThan(deadline);
        Thread.sleep(20);
      }
    }

    @Override
    public void close() throws InterruptedException {
      thread.interrupt();
      thread.join(30_000);
      assertThat(thread.isAlive()).as("an interrupted command stops").isFalse();
    }
  }

  private static int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cl = Cli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void storageCreatesANodeOnTheFirstRunServesItAndAppliesLaterOptions() throws Exception {
    String url = introducerUrl();
    Path node = dir.resolve("volunteer");
    int port;
    try (Foreground f = new Foreground("storage on port", "storage", "--dir", node.toString(),
        "--introducer", url, "--max-space", "3G", "--hostname", "127.0.0.1")) {
      String text = f.out.toString();
      Matcher m = Pattern.compile("Created storage node volunteer \\(\\w+\\) in " + Pattern.quote(
          node.toString()) + "; it listens on 127\\.0\\.0\\.1:(\\d+) \\(open this TCP port to"
          + " the grid's clients\\)").matcher(text);
      assertThat(m.find()).as(text).isTrue();
      port = Integer.parseInt(m.group(1));
      assertThat(text).contains("Offering up to 3").contains("(keeping 1G free) from ")
          .contains(" to the grid of " + url)
          .contains("Node volunteer running; storage on port " + port + ", serving shares from");
      assertThat(open(port)).as("the storage port answers").isTrue();
    }
    assertThat(open(port)).as("stopped with its thread").isFalse();

    try (Foreground f = new Foreground("storage on port", "storage", "--dir", node.toString(),
        "--max-space", "5G", "--nickname", "renamed")) {
      assertThat(f.out.toString())
          .contains("Changing storage.max-space from '3G' to '5G' in " + new NodeDirectory(node)
              .config())
          .contains("Changing node.nickname from 'volunteer' to 'renamed'")
          .contains("Using the storage node in " + node)
          .contains("Node renamed running; storage on port " + port)
          .doesNotContain("Created");
    }
    NodeConfig after = NodeConfig.read(node);
    assertThat(after.nickname()).isEqualTo("renamed");
    assertThat(after.port()).isEqualTo(port);
  }

  @Test
  void storageRefusesWhatCannotBecomeAStorageNode() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Path fresh = dir.resolve("fresh");
    assertThat(run(out, err, "storage", "--dir", fresh.toString())).isEqualTo(ExitCode.USAGE.code);
    assertThat(err.toString()).contains(fresh + " holds no node yet: the first run needs"
        + " --introducer URL");
    assertThat(new NodeDirectory(fresh).config()).doesNotExist();

    assertThat(run(out, err, "storage", "--dir", fresh.toString(), "--introducer", "http://x"))
        .isEqualTo(ExitCode.USAGE.code);
    assertThat(err.toString()).contains("bad --introducer 'http://x'");

    Path intro = RunningNodeTest.introducerDir(dir.resolve("an-introducer")).root();
    String before = Files.readString(new NodeDirectory(intro).config());
    assertThat(run(out, err, "storage", "--dir", intro.toString(), "--max-space", "1G"))
        .isEqualTo(ExitCode.USAGE.code);
    assertThat(err.toString()).contains(intro + " is an introducer, not a storage node");
    assertThat(Files.readString(new NodeDirectory(intro).config())).isEqualTo(before);
  }

  @Test
  void runServesAClientNodeWithItsGatewayAndRemovesTheAddressWhenStopped() throws Exception {
    String url = introducerUrl();
    NodeDirectory client = RunningNodeTest.nodeDir(dir.resolve("client"), "laptop", url, false);
    String gateway;
    try (Foreground f = new Foreground("Gateway: ", "run", client.root().toString(),
        "--web-port", "0")) {
      assertThat(f.out.toString()).contains("Node laptop running").doesNotContain("storage on");
      Matcher m = Pattern.compile("Gateway: (http://127\\.0\\.0\\.1:\\d+/)").matcher(
          f.out.toString());
      assertThat(m.find()).as(f.out.toString()).isTrue();
      gateway = m.group(1);
      assertThat(WebAddress.read(client.root())).contains(gateway);
      // the node and its gateway are one client of the introducer (one membership)
      var service = introducer.introducer().service();
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
      while (service.subscriberCount() < 1 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      Thread.sleep(1000); // a second subscription would have come by now
      assertThat(service.subscriberCount()).isEqualTo(1);
    }
    assertThat(WebAddress.read(client.root())).as("no address of a stopped gateway").isEmpty();
    int port = java.net.URI.create(gateway).getPort();
    assertThat(open(port)).isFalse();

    NodeDirectory second = RunningNodeTest.introducerDir(dir.resolve("intro2"));
    try (Foreground f = new Foreground("Introducer running; URL cairn://", "run",
        second.root().toString())) {
      assertThat(f.out.toString()).contains("(also in " + second.introducerUrl() + ")")
          .doesNotContain("Gateway:");
    }
  }

  private static boolean open(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
