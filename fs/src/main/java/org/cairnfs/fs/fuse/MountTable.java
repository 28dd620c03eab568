package org.cairnfs.fs.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads /proc/self/mountinfo: is a path a mount point right now, and of which type. */
final class MountTable {
  private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

  private MountTable() {}

  /** The filesystem type mounted at {@code mountpoint} (e.g. "fuse.cairn"), if any. */
  static Optional<String> typeAt(Path mountpoint) {
    return Optional.ofNullable(visible().get(mountpoint.toAbsolutePath().normalize()
        .toString()));
  }

  /** Every mount point whose visible mount is of {@code type}, in mount order. */
  static List<Path> mountsOfType(String type) {
    List<Path> out = new ArrayList<>();
    visible().forEach((mp, t) -> {
      if (t.equals(type)) {
        out.add(Path.of(mp));
      }
    });
    return out;
  }

  /**
   * Mount point to the type of the mount visible there (the last one mounted at it), in the
   * order those were mounted; empty when mountinfo cannot be read. Each line is "id parent
   * major:minor root mountpoint options [optional fields...] - type source super-options": the
   * lone "-" is the first field that can be one (the ones before are numbers, absolute paths and
   * option lists).
   */
  private static Map<String, String> visible() {
    List<String> lines;
    try {
      lines = Files.readAllLines(MOUNTINFO);
    } catch (IOException e) {
      return Map.of();
    }
    Map<String, String> top = new LinkedHashMap<>();
    for (String line : lines) {
      List<String> f = List.of(line.split(" "));
      String mp = unescape(f.get(4));
      top.remove(mp);
      top.put(mp, f.get(f.indexOf("-") + 1));
    }
    return top;
  }

  static String unescape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
