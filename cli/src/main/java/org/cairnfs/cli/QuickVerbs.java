package org.cairnfs.cli;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code cairn ls TARGET} and {@code cairn mkdir TARGET} (with at most {@code --node DIR}) run
 * without picocli. Why: building picocli's model of even one subcommand loads about 170 of its
 * classes, which the class-data archive cannot hold (Java 5 class files), and reflects over the
 * verb: most of such a command's CPU when the node does the work (docs/startup.md). The verb is
 * the same object picocli would run, its fields set as picocli would set them, so the output, the
 * messages and the exit codes are the same code's. Any other shape (an option, help, a second
 * operand, an {@code @file} argument, another verb) goes to picocli as before.
 */
final class QuickVerbs {
  private QuickVerbs() {}

  /** The verb {@code args} names, ready to run, when they have the one shape handled here. */
  static Optional<GridVerb> parse(String[] args, CairnCommand root) {
    if (args.length < 2 || args.length > 4) {
      return Optional.empty();
    }
    Path node = null;
    String target = null;
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--node") && i + 1 < args.length && node == null) {
        node = Path.of(args[++i]);
      } else if (a.startsWith("--node=") && node == null) {
        node = Path.of(a.substring("--node=".length()));
      } else if (target == null && !a.isEmpty() && a.charAt(0) != '-' && a.charAt(0) != '@') {
        target = a;
      } else {
        return Optional.empty();
      }
    }
    if (target == null) {
      return Optional.empty();
    }
    GridVerb verb;
    if (args[0].equals("ls")) {
      ListCommand ls = new ListCommand();
      ls.target = target;
      verb = ls;
    } else if (args[0].equals("mkdir")) {
      TreeCommands.Mkdir mkdir = new TreeCommands.Mkdir();
      mkdir.target = target;
      verb = mkdir;
    } else {
      return Optional.empty();
    }
    verb.root = root;
    verb.node = new NodeOption();
    verb.node.node = node;
    return Optional.of(verb);
  }

  /** Runs the verb as picocli's execute would: its exit code, or a failure's message and code. */
  static int run(GridVerb verb, PrintWriter out, PrintWriter err) {
    verb.plainOut = out;
    try {
      return verb.call();
    } catch (Exception e) {
      return Cli.failed(e, err);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** A writer over stdout or stderr like picocli's own (its charset, autoflush on println). */
  static PrintWriter writer(PrintStream stream, String encodingProperty) {
    String name = System.getProperty(encodingProperty);
    Charset charset = name == null ? Charset.defaultCharset()
        : Charset.forName(name.equalsIgnoreCase("cp65001") ? "UTF-8" : name);
    return new PrintWriter(new BufferedWriter(new OutputStreamWriter(stream, charset)), true);
  }
}
