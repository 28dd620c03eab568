package org.cairnfs.fs.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reads /proc/self/mountinfo: is a path a mount point right now, and of which type. */
final class MountTable {
  private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

  private MountTable() {}

  /** The filesystem type mounted at {@code mountpoint} (e.g. "fuse.cairn"), if any. */
  static Optional<String> typeAt(Path mountpoint) {
    String want = mountpoint.toAbsolutePath().normalize().toString();
    List<String> lines;
    try {
      lines = Files.readAllLines(MOUNTINFO);
    } catch (IOException e) {
      return Optional.empty();
    }
    Optional<String> found = Optional.empty();
    for (String line : lines) {
      String[] f = line.split(" ");
      if (f.length < 5 || !unescape(f[4]).equals(want)) {
        continue;
      }
      for (int i = 5; i < f.length - 1; i++) {
        if (f[i].equals("-")) {
          found = Optional.of(f[i + 1]); // the last mount at a path is the visible one
          break;
        }
      }
    }
    return found;
  }

  /** Every mount point whose visible mount is of {@code type}, in mount order. */
  static List<Path> mountsOfType(String type) {
    List<String> lines;
    try {
      lines = Files.readAllLines(MOUNTINFO);
    } catch (IOException e) {
      return List.of();
    }
    java.util.Map<String, String> top = new java.util.LinkedHashMap<>();
    for (String line : lines) {
      String[] f = line.split(" ");
      for (int i = 5; i < f.length - 1 && f.length >= 5; i++) {
        if (f[i].equals("-")) {
          String mp = unescape(f[4]);
          top.remove(mp);
          top.put(mp, f[i + 1]);
          break;
        }
      }
    }
    List<Path> out = new java.util.ArrayList<>();
    top.forEach((mp, t) -> {
      if (t.equals(type)) {
        out.add(Path.of(mp));
      }
    });
    return out;
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
