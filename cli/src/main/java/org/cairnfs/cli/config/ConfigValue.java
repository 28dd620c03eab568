package org.cairnfs.cli.config;

/**
 * How one value is written in {@code cairn.cfg} and read back, so every value a command writes
 * reads back exactly (a {@code '#'} in a path or nickname used to be cut off as a comment).
 *
 * <p>Grammar of the text after {@code key =}:
 * <pre>
 *   value    = quoted [ws] [comment] | plain [comment]
 *   quoted   = '"' { any char but '"' and '\' | '\"' | '\\' } '"'
 *   plain    = text up to a '#' that starts the value or follows a space or tab; trailing
 *              spaces dropped ("/data/disk#2" keeps its '#', "4600  # pinned" is 4600)
 *   comment  = '#' anything
 * </pre>
 * Control characters (a newline above all) cannot be written in either form and are refused.
 */
public final class ConfigValue {
  private ConfigValue() {}

  /**
   * The text to write after {@code key = } so that {@link #parse} returns {@code value}: plain
   * when that reads back the same, else quoted.
   *
   * @throws IllegalArgumentException naming the character when {@code value} cannot round-trip
   */
  public static String format(String value) {
    String bad = controlCharacter(value);
    if (bad != null) {
      throw new IllegalArgumentException("contains " + bad + ", which a config file cannot hold");
    }
    boolean plain = !value.isEmpty() && value.equals(value.strip()) && !value.contains("\"")
        && !value.contains("#") && !value.contains("\\");
    if (plain || value.isEmpty()) {
      return value;
    }
    StringBuilder b = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.append('"').toString();
  }

  /**
   * Parses the text after {@code '='} on one line.
   *
   * @throws IllegalArgumentException with the fix, for an unterminated quote, a bad escape or
   *     text after the closing quote
   */
  static String parse(String text) {
    String t = text.strip();
    if (!t.startsWith("\"")) {
      return stripComment(t).strip();
    }
    StringBuilder b = new StringBuilder();
    int i = 1;
    while (true) {
      if (i >= t.length()) {
        throw new IllegalArgumentException("the quoted value has no closing '\"'");
      }
      char c = t.charAt(i++);
      if (c == '"') {
        break;
      }
      if (c == '\\') {
        if (i >= t.length() || (t.charAt(i) != '"' && t.charAt(i) != '\\')) {
          throw new IllegalArgumentException("in a quoted value '\\' must be followed by '\"' or"
              + " '\\' (write \\\\ for one backslash)");
        }
        c = t.charAt(i++);
      }
      b.append(c);
    }
    String rest = t.substring(i).strip();
    if (!rest.isEmpty() && !rest.startsWith("#")) {
      throw new IllegalArgumentException("unexpected '" + rest + "' after the closing quote");
    }
    return b.toString();
  }

  /** Drops a comment: a '#' at the start or after a space or tab, and everything after it. */
  static String stripComment(String line) {
    for (int i = 0; i < line.length(); i++) {
      if (line.charAt(i) == '#' && (i == 0 || line.charAt(i - 1) == ' '
          || line.charAt(i - 1) == '\t')) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  /** The first control character in {@code s}, as "a newline" or "U+XXXX", or null. */
  static String controlCharacter(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) {
        return c == '\n' || c == '\r' ? "a line break" : String.format("control character U+%04X", (int) c);
      }
    }
    return null;
  }
}
