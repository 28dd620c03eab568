package org.cairnfs.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cairnfs.caps.Cap;
import org.cairnfs.cli.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code create-alias}, {@code add-alias} and {@code list-aliases}: names for directory caps. */
final class AliasCommands {
  private AliasCommands() {}

  static Aliases load(Path nodeDir) throws java.io.IOException, ConfigException {
    return Aliases.load(nodeDir);
  }

  static void checkNew(Aliases aliases, String name) {
    try {
      Aliases.checkName(name);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, e.getMessage());
    }
    if (aliases.get(name).isPresent()) {
      throw new CliException(ExitCode.USAGE, "alias '" + name + "' already exists; pick another"
          + " name ('cairn list-aliases' shows them)");
    }
  }

  @Command(name = "create-alias",
      description = "Create a new directory on the grid and keep its write cap under NAME.")
  static final class Create implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @ParentCommand
    CairnCommand root;
    @Mixin
    NodeOption node;

    @Parameters(index = "0", paramLabel = "NAME", description = "The alias, e.g. home.")
    String name;

    @Override
    public Integer call() throws Exception {
      Path dir = node.nodeDir();
      Aliases aliases = load(dir);
      checkNew(aliases, name);
      String cap;
      try (GridOpener.Session s = root.opener.open(dir)) {
        cap = GridCalls.await(s.files().createDirectory(), "create a directory for alias '"
            + name + "'");
      }
      aliases.put(name, cap);
      spec.commandLine().getOut().println("Alias '" + name + "' created");
      return 0;
    }
  }

  @Command(name = "add-alias", description = "Keep an existing directory cap under NAME.")
  static final class Add implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    NodeOption node;

    @Parameters(index = "0", paramLabel = "NAME", description = "The alias.")
    String name;

    @Parameters(index = "1", paramLabel = "CAP", description = "A directory cap (cairn:dir:...).")
    String cap;

    @Override
    public Integer call() throws Exception {
      Path dir = node.nodeDir();
      Aliases aliases = load(dir);
      checkNew(aliases, name);
      try {
        aliases.put(name, cap);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCode.USAGE, e.getMessage());
      }
      spec.commandLine().getOut().println("Alias '" + name + "' added");
      return 0;
    }
  }

  @Command(name = "list-aliases", description = "Print each alias and its cap.")
  static final class List implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    NodeOption node;

    @Option(names = "--readonly", description = "Print read caps instead of write caps.")
    boolean readonly;

    @Override
    public Integer call() throws Exception {
      Aliases aliases = load(node.nodeDir());
      PrintWriter out = spec.commandLine().getOut();
      for (String n : aliases.names()) {
        String cap = aliases.get(n).orElseThrow();
        out.println(n + ": " + (readonly ? Cap.parse(cap).readOnly().toString() : cap));
      }
      out.flush();
      return 0;
    }
  }
}
