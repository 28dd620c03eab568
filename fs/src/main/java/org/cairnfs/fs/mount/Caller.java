package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who asks: the uid and gid a new node gets, whose permission chown checks, and the process
 * (thread) id FUSE names, through which {@link #inGroup} finds supplementary groups.
 */
public record Caller(int uid, int gid, long pid) {
  /** A caller whose supplementary groups are not known (only its primary group counts). */
  public Caller(int uid, int gid) {
    this(uid, gid, 0);
  }

  public boolean isRoot() {
    return uid == 0;
  }

  /**
   * Whether the caller is in group {@code g}: its primary group, or one of the supplementary
   * groups of its process as {@code /proc/PID/status} lists them (libfuse's fuse_getgroups does
   * the same). Unknown (no pid, the process gone) counts as not in the group: the safe side.
   */
  public boolean inGroup(int g) {
    if (g == gid) {
      return true;
    }
    if (pid <= 0) {
      return false;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("Groups:")) {
          for (String s : line.substring("Groups:".length()).trim().split("\\s+")) {
            if (!s.isEmpty() && Long.parseLong(s) == (g & 0xffffffffL)) {
              return true;
            }
          }
          return false;
        }
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return false;
  }
}
