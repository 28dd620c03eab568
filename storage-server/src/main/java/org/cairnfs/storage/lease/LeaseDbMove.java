package org.cairnfs.storage.lease;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a lease database from where earlier versions kept it (inside the storage dir, where at
 * 2 MiB it was often the largest file and was taken for a share) to its new place, before the
 * server opens it.
 *
 * <p>Why a marker file: a database is a main file plus write-ahead-log files, and a group of
 * files cannot be renamed at once (nor at all across disks). So the move copies, and a marker
 * {@code <new>.moving} says "the old database is the live one" from before the first copied
 * byte until the old main file is deleted. Whatever the crash point, exactly one database is
 * live and it is complete: with the marker and the old main file present, the copy is redone
 * from scratch; with the marker and no old main file, only the clean-up is left. Without a
 * marker, a database in both places is refused (not guessed at): nothing is deleted.
 */
public final class LeaseDbMove {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseDbMove.class);

  private LeaseDbMove() {}

  /**
   * Makes {@code target} the one lease database: moves {@code legacy} (and its log files) there
   * when only it exists, finishes or redoes a move a crash interrupted, and does nothing when
   * there is nothing to move.
   *
   * @throws IOException when both places hold a database and no move was under way (the
   *     message names both and what to do), or the copy fails (the old one stays live)
   */
  public static void run(Path legacy, Path target) throws IOException {
    if (legacy.toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize())) {
      return;
    }
    Path marker = marker(target);
    boolean moving = Files.exists(marker);
    boolean legacyLive = Files.exists(legacy);
    if (!moving && !legacyLive) {
      return;
    }
    if (!moving && Files.exists(target)) {
      throw new IOException("two lease databases: " + legacy + " (where earlier versions kept"
          + " it) and " + target + " (in use); the server will not guess which is right. If"
          + " this server already ran with " + target + ", move " + legacy + " and its "
          + legacy.getFileName() + ".wal.* files away; if " + target + " is a stray copy,"
          + " move it away instead; then start again");
    }
    Files.createDirectories(target.toAbsolutePath().getParent());
    if (legacyLive) {
      if (!moving) {
        Files.write(marker, new byte[0], StandardOpenOption.CREATE_NEW);
        syncDirectory(marker.toAbsolutePath().getParent());
      } else {
        LOG.warn("lease database move from {} to {} was interrupted; copying again", legacy,
            target);
      }
      for (Path p : databaseFiles(target)) {
        Files.delete(p);
      }
      for (Path from : databaseFiles(legacy)) {
        if (from.getFileName().toString().endsWith(".part")) {
          continue;
        }
        copySynced(from, target.resolveSibling(from.getFileName()));
      }
      syncDirectory(target.toAbsolutePath().getParent());
      // The old main file goes first: from here on the new database is the live one.
      Files.delete(legacy);
      syncDirectory(legacy.toAbsolutePath().getParent());
    }
    for (Path p : databaseFiles(legacy)) {
      Files.delete(p);
    }
    Files.delete(marker);
    syncDirectory(marker.toAbsolutePath().getParent());
    LOG.info("lease database moved from {} to {}", legacy, target);
  }

  static Path marker(Path target) {
    return target.resolveSibling(target.getFileName() + ".moving");
  }

  /** The main file and its {@code .wal.<n>} log files (and copies in progress), if present. */
  private static List<Path> databaseFiles(Path main) throws IOException {
    List<Path> out = new ArrayList<>();
    Path dir = main.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    String name = main.getFileName().toString();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (n.equals(name) || n.startsWith(name + ".wal.") || n.equals(name + ".part")) {
          out.add(p);
        }
      }
    }
    return out;
  }

  private static void copySynced(Path from, Path to) throws IOException {
    Path part = to.resolveSibling(to.getFileName() + ".part");
    Files.copy(from, part, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(part, to, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // some file systems cannot sync a directory; the rename order still holds
    }
  }
}
