package org.cairnfs.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Removes the native libraries that SQLite's driver and LZ4 (inside MapDB, used to import an old
 * lease database) unpack into the temp dir and that a killed JVM leaves behind: a {@code
 * sqlite-*-libsqlitejdbc.so} or {@code liblz4-java*.so} that no running process has mapped is
 * stale (the driver's own clean-up skips a file whose {@code .lck} a killed JVM left). Run before
 * a node starts; it touches nothing another process uses (and cannot delete other users' files
 * from a sticky /tmp anyway). A library unpacked in the last {@link #GRACE} is kept even when
 * unmapped: a node starting beside this one may be between unpacking and loading it (deleting
 * it there made that node fail to start with "No native library found").
 */
final class StaleTempLibs {
  private static final List<String> GLOBS = List.of("liblz4-java*.so",
      "sqlite-*-libsqlitejdbc.so");

  static final Duration GRACE = Duration.ofMinutes(10);

  private StaleTempLibs() {}

  /** Deletes stale libraries (and their {@code .lck} files) in {@code dir}; returns them. */
  static List<Path> sweep(Path dir) {
    return sweep(dir, Instant.now().minus(GRACE));
  }

  /** As {@link #sweep(Path)}, keeping every library modified after {@code keepAfter}. */
  static List<Path> sweep(Path dir, Instant keepAfter) {
    List<Path> candidates = new ArrayList<>();
    for (String glob : GLOBS) {
      try (DirectoryStream<Path> libs = Files.newDirectoryStream(dir, glob)) {
        libs.forEach(candidates::add);
      } catch (IOException e) {
        return List.of();
      }
    }
    if (candidates.isEmpty()) {
      return List.of();
    }
    Set<String> mapped = mappedFiles();
    if (mapped == null) {
      return List.of(); // cannot tell which are in use: leave them
    }
    List<Path> removed = new ArrayList<>();
    for (Path lib : candidates) {
      if (!mapped.contains(lib.toAbsolutePath().toString()) && modifiedBefore(lib, keepAfter)) {
        try {
          Files.deleteIfExists(lib);
          Files.deleteIfExists(lib.resolveSibling(lib.getFileName() + ".lck"));
          removed.add(lib);
        } catch (IOException e) {
          // another user's file, or gone already
        }
      }
    }
    return removed;
  }

  private static boolean modifiedBefore(Path lib, Instant t) {
    try {
      return Files.getLastModifiedTime(lib).toInstant().isBefore(t);
    } catch (IOException e) {
      return false; // gone already
    }
  }

  /** The temp dir's stale libraries, swept quietly. */
  static void sweepTempDir() {
    sweep(Path.of(System.getProperty("java.io.tmpdir")));
  }

  /**
   * Every file path mapped by a process whose maps this user may read; null when /proc cannot
   * be read at all. A process whose maps are unreadable (another user's) may use a library, but
   * this user could not delete that user's file either.
   */
  static Set<String> mappedFiles() {
    Set<String> out = new HashSet<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .toList()) {
        try (Stream<String> lines = Files.lines(p.resolve("maps"))) {
          lines.forEach(l -> {
            int slash = l.indexOf('/');
            if (slash > 0 && (l.contains("liblz4-java") || l.contains("libsqlitejdbc"))) {
              out.add(l.substring(slash).replace(" (deleted)", ""));
            }
          });
        } catch (IOException | RuntimeException e) {
          // process gone or not ours
        }
      }
    } catch (IOException e) {
      return null;
    }
    return out;
  }
}
