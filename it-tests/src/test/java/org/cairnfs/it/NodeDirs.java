package org.cairnfs.it;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.cli.CairnCommand;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import picocli.CommandLine;

/**
 * Node and introducer directories made with the real {@code create-*} commands, run inside the
 * test JVM (creating a directory needs no server, and a JVM start per directory would cost
 * seconds of a two-core machine).
 */
final class NodeDirs {
  private NodeDirs() {}

  /**
   * Runs a one-shot cairn command in this JVM, its chatter captured; fails the test with the
   * output if it fails.
   */
  static synchronized void cairn(String... args) {
    StringWriter printed = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = CairnCommand.commandLine(args);
    cl.setOut(new PrintWriter(printed));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    if (code != 0) {
      throw new AssertionError("cairn " + String.join(" ", args) + " exited " + code + ": "
          + printed + err);
    }
  }

  static Path createIntroducer(Path dir, int port) {
    cairn("create-introducer", dir.toString(), "--port", Integer.toString(port));
    return dir;
  }

  /** A storage node; {@code extra} are further create-node options. */
  static Path createNode(Path dir, String introducerUrl, String... extra) {
    List<String> args = new ArrayList<>(List.of("create-node", dir.toString(),
        "--introducer", introducerUrl, "--nickname", dir.getFileName().toString()));
    args.addAll(List.of(extra));
    cairn(args.toArray(String[]::new));
    return dir;
  }

  /**
   * Makes a storage node's renewals write whenever they move an expiry (its config's last
   * section is [storage]), so a test can see a renewal made seconds after an upload.
   */
  static Path renewingEveryTime(Path node) throws IOException {
    Files.writeString(node.resolve("cairn.cfg"), "lease-renewal-granularity-seconds = 0\n",
        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
    return node;
  }

  /** The URL a not-yet-started introducer will have: its key and configured port. */
  static String introducerUrl(Path dir, int port) throws IOException {
    return "cairn://" + nodeId(dir) + "@127.0.0.1:" + port;
  }

  /**
   * A well-formed URL of an introducer that never runs: for servers tested alone (they keep
   * retrying it in the background, which must not disturb serving).
   */
  static String absentIntroducerUrl() throws IOException {
    return "cairn://" + NodeKey.generate().nodeId() + "@127.0.0.1:" + freePort();
  }

  /** The URL a running introducer wrote. */
  static String writtenIntroducerUrl(Path dir) throws IOException {
    return Files.readString(dir.resolve("introducer.url"), StandardCharsets.UTF_8).strip();
  }

  static NodeId nodeId(Path dir) throws IOException {
    return NodeKey.load(dir.resolve("node.key")).nodeId();
  }

  /** A port free right now (the tiny race with other programs is accepted in tests). */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
