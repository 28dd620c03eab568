package org.cairnfs.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.mount.MemoryGrid;
import picocli.CommandLine;

/**
 * Runs {@code cairn} commands in-process against a client node directory whose grid is a
 * {@link MemoryGrid}; keeps each run's stdout and stderr.
 */
final class VerbFixture {
  final Path node;
  final MemoryGrid grid;
  private final GridOpener.Session session;
  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();
  private java.io.ByteArrayOutputStream stdout = new java.io.ByteArrayOutputStream();
  private byte[] stdin = new byte[0];

  VerbFixture(Path dir) throws Exception {
    this(dir, MemoryGrid.inMemory());
    createNode();
  }

  /** A fixture whose verbs use {@code session} (a real grid client) instead of MemoryGrid. */
  VerbFixture(Path dir, GridOpener.Session session) throws Exception {
    this.node = dir.resolve("client");
    this.grid = null;
    this.session = session;
    createNode();
  }

  private void createNode() throws Exception {
    CommandLine cl = Cli.commandLine();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    int rc = cl.execute("create-node", node.toString(), "--introducer",
        "cairn://" + org.cairnfs.protocol.identity.NodeKey.generate().nodeId()
            + "@127.0.0.1:4000", "--no-storage");
    if (rc != 0) {
      throw new IllegalStateException("create-node failed: " + rc);
    }
  }

  VerbFixture(Path dir, MemoryGrid grid) {
    this.node = dir.resolve("client");
    this.grid = grid;
    this.session = session(grid);
  }

  /** Runs a command with {@code --node} naming the fixture's node. */
  int run(String... args) {
    return runIn(node, args);
  }

  int runIn(Path nodeDir, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add(1, "--node");
    all.add(2, nodeDir.toString());
    return runRaw(all.toArray(String[]::new));
  }

  /** Runs a command exactly as given. */
  int runRaw(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    stdout = new java.io.ByteArrayOutputStream();
    VerbIo io = new VerbIo(new java.io.ByteArrayInputStream(stdin), stdout, false);
    CommandLine cl = Cli.commandLine(new CairnCommand(nodeDir -> session, io));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  /**
   * Runs a command through {@link QuickVerbs} (no picocli), as {@code main} does; -1 when that
   * path does not take the command line.
   */
  int runQuick(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    VerbIo io = new VerbIo(new java.io.ByteArrayInputStream(stdin), stdout, false);
    java.util.Optional<GridVerb> verb = QuickVerbs.parse(args,
        new CairnCommand(nodeDir -> session, io));
    if (verb.isEmpty()) {
      return -1;
    }
    return QuickVerbs.run(verb.get(), new PrintWriter(out, true), new PrintWriter(err, true));
  }

  static GridOpener.Session session(GridFileSystem files) {
    return new GridOpener.Session() {
      @Override
      public GridFileSystem files() {
        return files;
      }

      @Override
      public void close() {}
    };
  }

  /** What the next command reads from stdin. */
  void stdin(byte[] bytes) {
    stdin = bytes.clone();
  }

  /** The bytes the last command wrote to stdout as data ({@code get SOURCE -}). */
  byte[] stdoutBytes() {
    return stdout.toByteArray();
  }

  /** The last line the last command printed. */
  String lastLine() {
    String[] lines = out.toString().split("\n");
    return lines[lines.length - 1];
  }

  String out() {
    return out.toString();
  }

  String err() {
    return err.toString();
  }

  boolean nodeExists() {
    return Files.exists(node.resolve("cairn.cfg"));
  }
}
