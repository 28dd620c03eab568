package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
   * the same). That file counts only when its filesystem uid and gid are the caller's: a thread
   * gone and its id reused, or a /proc of another PID namespace, must not lend its groups.
   * Unknown counts as not in the group: the safe side.
   */
  public boolean inGroup(int g) {
    if (g == gid) {
      return true;
    }
    if (pid <= 0) {
      return false;
    }
    try {
      // ISO-8859-1: the Name: line is raw bytes, not always UTF-8
      String status = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid),
          "status")), StandardCharsets.ISO_8859_1);
      boolean uidMatches = false;
      boolean gidMatches = false;
      String[] groups = null;
      for (String line : status.split("\n")) {
        if (line.startsWith("Uid:")) {
          uidMatches = fsId(line, "Uid:") == (uid & 0xffffffffL);
        } else if (line.startsWith("Gid:")) {
          gidMatches = fsId(line, "Gid:") == (gid & 0xffffffffL);
        } else if (line.startsWith("Groups:")) {
          groups = line.substring("Groups:".length()).trim().split("\\s+");
        }
      }
      if (!uidMatches || !gidMatches || groups == null) {
        return false;
      }
      for (String s : groups) {
        if (!s.isEmpty() && Long.parseLong(s) == (g & 0xffffffffL)) {
          return true;
        }
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return false;
  }

  /** The fourth (filesystem) id of a Uid:/Gid: line: real, effective, saved, fs. */
  private static long fsId(String line, String key) {
    String[] ids = line.substring(key.length()).trim().split("\\s+");
    return ids.length == 4 ? Long.parseLong(ids[3]) : -1;
  }
}
