package org.cairnfs.cli.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Changes some values of an existing {@code cairn.cfg} in place, keeping its comments and every
 * other line: the line defining a key is replaced, a missing key is added under its section
 * (the section is appended if missing). Written to a temporary file and renamed over the old one.
 */
public final class ConfigEdit {
  private ConfigEdit() {}

  /**
   * Sets {@code values} (keys as {@code section.key}) in {@code file}, which must read cleanly
   * against {@code schema} first.
   *
   * @throws IllegalArgumentException when a value cannot be written (see {@link ConfigValue})
   */
  public static void set(Path file, Set<String> schema, Map<String, String> values)
      throws ConfigException, IOException {
    ConfigFile current = ConfigFile.read(file, schema);
    List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    Map<String, String> missing = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : values.entrySet()) {
      String name = e.getKey().substring(e.getKey().indexOf('.') + 1);
      String line = name + " = " + ConfigValue.format(e.getValue());
      var entry = current.get(e.getKey());
      if (entry.isPresent()) {
        lines.set(entry.get().line() - 1, line);
      } else {
        missing.put(e.getKey(), line);
      }
    }
    for (Map.Entry<String, String> e : missing.entrySet()) {
      String header = "[" + e.getKey().substring(0, e.getKey().indexOf('.')) + "]";
      int at = -1;
      for (int i = 0; i < lines.size(); i++) {
        if (ConfigValue.stripComment(lines.get(i).replace("\uFEFF", "")).strip().equals(header)) {
          at = i;
          break;
        }
      }
      if (at < 0) {
        lines.add("");
        lines.add(header);
        lines.add(e.getValue());
      } else {
        lines.add(at + 1, e.getValue());
      }
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, lines, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
