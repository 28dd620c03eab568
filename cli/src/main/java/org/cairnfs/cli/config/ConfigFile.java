package org.cairnfs.cli.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A node's {@code cairn.cfg}: INI-style sections of {@code key = value} lines, {@code #}
 * comments, values plain or quoted as {@link ConfigValue} says; a leading UTF-8 byte-order mark
 * is ignored. Every key must be one the schema knows, so a typo stops start-up with the file and
 * line instead of being silently ignored.
 */
public final class ConfigFile {
  public static final String NAME = "cairn.cfg";
  private static final String BOM = "\uFEFF";

  private final Path path;
  private final Map<String, Entry> entries;

  /** One value with the line it came from, for error messages. */
  public record Entry(String value, int line) {}

  private ConfigFile(Path path, Map<String, Entry> entries) {
    this.path = path;
    this.entries = entries;
  }

  /**
   * Reads and checks {@code file} against {@code schema} (keys as {@code section.key}).
   *
   * @throws ConfigException naming file and line for syntax errors, unknown or repeated keys
   */
  public static ConfigFile read(Path file, Set<String> schema) throws ConfigException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file, 0,
          "no such file; create the node first with 'cairn create-node' or 'cairn create-introducer'");
    } catch (CharacterCodingException e) {
      throw new ConfigException(file, 0, "is not UTF-8 text; save it as UTF-8");
    } catch (AccessDeniedException e) {
      throw new ConfigException(file, 0, "permission denied; run as the node's owner or fix the"
          + " file's permissions");
    } catch (IOException e) {
      throw new ConfigException(file, 0, "cannot read: " + e);
    }
    if (!lines.isEmpty() && lines.get(0).startsWith(BOM)) {
      lines.set(0, lines.get(0).substring(1)); // editors on some systems add one; it means nothing
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    String section = null;
    for (int i = 0; i < lines.size(); i++) {
      int lineNo = i + 1;
      String raw = lines.get(i).strip();
      if (raw.isEmpty() || raw.startsWith("#")) {
        continue;
      }
      if (raw.startsWith("[")) {
        String line = ConfigValue.stripComment(raw).strip();
        if (!line.endsWith("]") || line.length() < 3) {
          throw new ConfigException(file, lineNo, "bad section header '" + line
              + "'; write it as [name]");
        }
        section = line.substring(1, line.length() - 1).strip();
        continue;
      }
      String line = raw;
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(file, lineNo, "expected 'key = value', got '"
            + visible(ConfigValue.stripComment(line).strip()) + "'");
      }
      if (section == null) {
        throw new ConfigException(file, lineNo, "key outside any section; put it under a [section]");
      }
      String key = section + "." + line.substring(0, eq).strip();
      if (!schema.contains(key)) {
        throw new ConfigException(file, lineNo, "unknown key '" + key + "'; known keys: "
            + String.join(", ", schema.stream().sorted().toList()));
      }
      if (entries.containsKey(key)) {
        throw new ConfigException(file, lineNo, "'" + key + "' is set twice (first on line "
            + entries.get(key).line() + "); keep one");
      }
      String value;
      try {
        value = ConfigValue.parse(line.substring(eq + 1));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(file, lineNo, "'" + key + "': " + e.getMessage());
      }
      entries.put(key, new Entry(value, lineNo));
    }
    return new ConfigFile(file, entries);
  }

  /** The text with invisible characters shown as U+XXXX, for error messages. */
  static String visible(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean invisible = Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
          || Character.isWhitespace(c) && c != ' ';
      b.append(invisible ? String.format("U+%04X", (int) c) : String.valueOf(c));
    }
    return b.toString();
  }

  public Path path() {
    return path;
  }

  public Optional<Entry> get(String key) {
    return Optional.ofNullable(entries.get(key));
  }

  public String getString(String key, String fallback) {
    Entry e = entries.get(key);
    return e == null || e.value().isEmpty() ? fallback : e.value();
  }

  public int getPort(String key, int fallback) throws ConfigException {
    Entry e = entries.get(key);
    if (e == null || e.value().isEmpty()) {
      return fallback;
    }
    try {
      int p = Integer.parseInt(e.value());
      if (p >= 0 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException ignored) {
      // fall through to the error below
    }
    throw new ConfigException(path, e.line(), "'" + key + "' must be a port 0-65535 (0 = any free"
        + " port), got '" + e.value() + "'");
  }

  public boolean getBoolean(String key, boolean fallback) throws ConfigException {
    Entry e = entries.get(key);
    if (e == null || e.value().isEmpty()) {
      return fallback;
    }
    return switch (e.value().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new ConfigException(path, e.line(),
          "'" + key + "' must be true or false, got '" + e.value() + "'");
    };
  }

  /** Raises a config error pointing at {@code key}'s line. */
  public ConfigException error(String key, String message) {
    Entry e = entries.get(key);
    return new ConfigException(path, e == null ? 0 : e.line(), message);
  }
}
