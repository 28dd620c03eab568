package org.cairnfs.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A place on the grid as the verbs name it: a root directory (or file) cap and the names below
 * it. {@code label} is how messages show the root: the alias as typed, or a cap cut to its kind
 * so that messages and logs do not carry secrets.
 */
record GridPath(String rootCap, String label, List<String> names) {
  GridPath {
    names = List.copyOf(names);
  }

  /**
   * Splits {@code inside} (the part after {@code alias:} or {@code CAP/}) into names: empty names
   * (repeated or trailing slashes) and {@code .} are dropped, {@code ..} is refused.
   */
  static List<String> split(String inside, String whole) {
    List<String> out = new ArrayList<>();
    for (String n : inside.split("/", -1)) {
      if (n.isEmpty() || n.equals(".")) {
        continue;
      }
      if (n.equals("..")) {
        throw new CliException(ExitCode.USAGE, "'..' is not allowed in a grid path: " + whole);
      }
      if (n.indexOf('\0') >= 0) {
        throw new CliException(ExitCode.USAGE, "a NUL byte is not allowed in a grid path");
      }
      if (n.indexOf('\uFFFD') >= 0) {
        // what bytes that are not UTF-8 become in an argument: such a name could reach another
        throw new CliException(ExitCode.USAGE, "a grid path name is not valid UTF-8 (or holds"
            + " U+FFFD), so it cannot be told from other names: " + whole + "; the gateway"
            + " takes any name, percent-encoded exactly");
      }
      out.add(n);
    }
    return out;
  }

  boolean isRoot() {
    return names.isEmpty();
  }

  /** The last name; the root has none. */
  String name() {
    if (names.isEmpty()) {
      throw new CliException(ExitCode.USAGE, this + " is a root directory and has no name"
          + " in a parent; name a path inside it");
    }
    return names.get(names.size() - 1);
  }

  GridPath parent() {
    name();
    return new GridPath(rootCap, label, names.subList(0, names.size() - 1));
  }

  GridPath child(String name) {
    List<String> n = new ArrayList<>(names);
    n.add(name);
    return new GridPath(rootCap, label, n);
  }

  /** Whether {@code other} is this path or lies below it (same root). */
  boolean contains(GridPath other) {
    return rootCap.equals(other.rootCap) && other.names.size() >= names.size()
        && other.names.subList(0, names.size()).equals(names);
  }

  @Override
  public String toString() {
    return label + String.join("/", names);
  }
}
