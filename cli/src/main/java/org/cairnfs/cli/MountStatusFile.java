package org.cairnfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.cairnfs.fs.gateway.NodeStatus;
import org.cairnfs.fs.mount.MountStatus;
import org.cairnfs.storage.config.ByteSize;

/**
 * What a running mount has not uploaded yet, as a small text file in its cache dir (rewritten
 * atomically every few seconds while it runs), so that {@code cairn status} of the node can show
 * pending uploads and upload errors without talking to the mount process.
 *
 * <p>Format, one {@code key: value} per line: {@code mountpoint}, {@code pid}, {@code pending}
 * (changes not on the grid), {@code spool} (bytes in the cache), {@code error} and {@code since}
 * while uploads fail. Only a file whose pid still runs is shown.
 */
final class MountStatusFile {
  static final String NAME = "status";

  private MountStatusFile() {}

  static void write(Path cacheDir, Path mountpoint, MountStatus s) throws IOException {
    StringBuilder b = new StringBuilder();
    b.append("mountpoint: ").append(mountpoint).append('\n');
    b.append("pid: ").append(ProcessHandle.current().pid()).append('\n');
    b.append("pending: ").append(s.pendingChanges()).append('\n');
    b.append("spool: ").append(s.spoolBytes()).append('\n');
    s.lastError().ifPresent(e -> b.append("error: ").append(e.replace('\n', ' ')).append('\n'));
    s.failingSince().ifPresent(t -> b.append("since: ").append(t).append('\n'));
    RunningNode.writeAtomically(cacheDir.resolve(NAME), b.toString());
  }

  /** One line per running mount of the node's default cache dirs. */
  static List<String> describeRunning(Path nodeDir, Instant now) {
    List<String> out = new ArrayList<>();
    List<Map<String, String>> running;
    try {
      running = running(nodeDir);
    } catch (IOException e) {
      out.add("(cannot read " + nodeDir.resolve("mounts") + ": " + e.getMessage() + ")");
      return out;
    }
    for (Map<String, String> f : running) {
      long pending = parseLong(f.get("pending"));
      String line = f.getOrDefault("mountpoint", "?") + " (process " + parseLong(f.get("pid")) + "): "
          + (pending == 0 ? "everything on the grid"
          : pending + " changes pending, " + ByteSize.format(parseLong(f.get("spool")))
          + " in the cache");
      if (f.containsKey("error")) {
        String since = "";
        try {
          since = ", failing for " + Ages.format(Duration.between(Instant.parse(f.get("since")),
              now));
        } catch (RuntimeException e) {
          // no or bad time: leave it out
        }
        line += "; uploads fail (" + f.get("error") + since + "), retrying";
      }
      out.add(line);
    }
    return out;
  }

  /** The write-back queues of the node's running mounts (other processes), for its gateway. */
  static List<NodeStatus.MountQueue> runningQueues(Path nodeDir) {
    List<NodeStatus.MountQueue> out = new ArrayList<>();
    try {
      for (Map<String, String> f : running(nodeDir)) {
        out.add(new NodeStatus.MountQueue(f.getOrDefault("mountpoint", "?"),
            (int) Math.max(0, Math.min(Integer.MAX_VALUE, parseLong(f.get("pending")))),
            Math.max(0, parseLong(f.get("spool"))), java.util.Optional.ofNullable(
                f.get("error"))));
      }
    } catch (IOException e) {
      // unreadable: no queues shown
    }
    return out;
  }

  /** The status files of the node's mounts whose process is alive, in mount-dir order. */
  private static List<Map<String, String>> running(Path nodeDir) throws IOException {
    List<Map<String, String>> out = new ArrayList<>();
    Path mounts = nodeDir.resolve("mounts");
    if (!Files.isDirectory(mounts)) {
      return out;
    }
    try (Stream<Path> dirs = Files.list(mounts)) {
      for (Path d : dirs.sorted().toList()) {
        Map<String, String> f = read(d.resolve(NAME));
        if (writerRuns(f)) {
          out.add(f);
        }
      }
    }
    return out;
  }

  /** Whether the process a status file names ({@code pid}) is alive. */
  static boolean writerRuns(Map<String, String> f) {
    long pid = parseLong(f.get("pid"));
    return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** A status file's {@code key: value} lines; empty when there is none. */
  static Map<String, String> read(Path file) {
    Map<String, String> m = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        int c = line.indexOf(": ");
        if (c > 0) {
          m.put(line.substring(0, c), line.substring(c + 2));
        }
      }
    } catch (IOException e) {
      // no file: not running (or never ran)
    }
    return m;
  }

  private static long parseLong(String s) {
    try {
      return s == null ? -1 : Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
