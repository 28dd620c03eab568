package org.cairnfs.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.cairnfs.fs.mount.CacheDirJournal;

/**
 * The demo client's other mounts, as its collector must see them: the cache dirs under the
 * node's {@code mounts/} besides the demo's own. A mount running there changes directories this
 * process does not count, and one stopped with changes not yet on the grid will publish them at
 * its next start: either way a collection now could delete what they link.
 *
 * <p>A look takes nothing it keeps: a cache dir's lock is tried and let go at once (a mount
 * starting meanwhile waits for it), its journal only read. Comparing a look before a walk with
 * one after tells whether another mount ran in between (every mount rewrites its journal when it
 * starts). Mounts with a {@code --cache-dir} elsewhere are not seen.
 */
final class OtherMounts {
  /**
   * What one look found.
   *
   * @param busy why a collection must wait, if it must
   * @param journals each other cache dir's journal, as file identity, size and time
   */
  record Look(Optional<String> busy, Map<Path, String> journals) {
    static Look busy(String why) {
      return new Look(Optional.of(why), Map.of());
    }
  }

  private OtherMounts() {}

  /** Looks at the cache dirs under {@code nodeDir}'s {@code mounts/} other than {@code own}. */
  static Look look(Path nodeDir, Path own) {
    Path mounts = nodeDir.resolve("mounts");
    Map<Path, String> journals = new TreeMap<>();
    if (!Files.isDirectory(mounts)) {
      return new Look(Optional.empty(), journals);
    }
    List<Path> dirs;
    try (Stream<Path> s = Files.list(mounts)) {
      dirs = s.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      return Look.busy("the cache dirs in " + mounts + " cannot be listed: " + e.getMessage());
    }
    for (Path d : dirs) {
      if (own != null && d.toAbsolutePath().normalize().equals(
          own.toAbsolutePath().normalize())) {
        continue;
      }
      try {
        if (inUse(d)) {
          return Look.busy("another mount of this client runs (cache dir " + d
              + "): its changes are not seen here");
        }
        int pending = CacheDirJournal.pendingChanges(d);
        if (pending > 0) {
          return Look.busy("the mount whose cache dir is " + d + " stopped with " + pending
              + " changes not yet on the grid: mount that root again so they upload");
        }
        journals.put(d, signature(d.resolve("journal")));
      } catch (IOException e) {
        return Look.busy("the cache dir " + d + " cannot be read: " + e.getMessage());
      }
    }
    return new Look(Optional.empty(), journals);
  }

  /** Whether a mount holds {@code cacheDir}'s lock now. */
  static boolean inUse(Path cacheDir) throws IOException {
    Path lock = cacheDir.resolve("lock");
    if (!Files.exists(lock)) {
      return false; // never mounted
    }
    try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
      FileLock l = ch.tryLock();
      if (l == null) {
        return true;
      }
      l.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true; // held in this process
    }
  }

  private static String signature(Path journal) throws IOException {
    if (!Files.exists(journal)) {
      return "none";
    }
    BasicFileAttributes a = Files.readAttributes(journal, BasicFileAttributes.class);
    return a.fileKey() + " " + a.size() + " " + a.lastModifiedTime().toInstant();
  }
}
