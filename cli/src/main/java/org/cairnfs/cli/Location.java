package org.cairnfs.cli;

import java.nio.file.Path;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.CapFormatException;

/**
 * What a verb's argument names: a place on the grid ({@code alias:path}, {@code alias:},
 * {@code cairn:...} or {@code cairn:.../path}), a local path, or {@code -} (stdin or stdout).
 * An argument whose text before its first colon holds no slash is a grid path; write
 * {@code ./a:b} for a local file with a colon in its name.
 */
sealed interface Location {
  record Grid(GridPath path) implements Location {
    @Override
    public String toString() {
      return path.toString();
    }
  }

  record Local(Path path) implements Location {
    @Override
    public String toString() {
      return path.toString();
    }
  }

  record Stdio() implements Location {
    @Override
    public String toString() {
      return "-";
    }
  }

  static Location parse(String arg, Aliases aliases) {
    if (arg.equals("-")) {
      return new Stdio();
    }
    if (arg.startsWith(Cap.SCHEME)) {
      int slash = arg.indexOf('/');
      String cap = slash < 0 ? arg : arg.substring(0, slash);
      try {
        Cap.parse(cap);
      } catch (CapFormatException e) {
        throw new CliException(ExitCode.USAGE, "bad cap " + Aliases.redact(cap) + ": "
            + e.getMessage());
      }
      String label = Aliases.redact(cap) + "/";
      return new Grid(new GridPath(cap, label,
          GridPath.split(slash < 0 ? "" : arg.substring(slash + 1), arg)));
    }
    int colon = arg.indexOf(':');
    if (colon > 0 && arg.lastIndexOf('/', colon) < 0) {
      String alias = arg.substring(0, colon);
      String cap = aliases.get(alias).orElseThrow(() -> new CliException(ExitCode.USAGE,
          "unknown alias '" + alias + "' in " + arg + " ('cairn list-aliases' shows them; write"
              + " ./" + arg + " for a local file)"));
      return new Grid(new GridPath(cap, alias + ":", GridPath.split(arg.substring(colon + 1),
          arg)));
    }
    return new Local(Path.of(arg));
  }

  /** Parses an argument that must name a place on the grid. */
  static GridPath grid(String arg, Aliases aliases) {
    Location l = parse(arg, aliases);
    if (l instanceof Grid g) {
      return g.path();
    }
    throw new CliException(ExitCode.USAGE, "'" + arg + "' is not a grid path: write ALIAS:path,"
        + " ALIAS: or a cap");
  }
}
