package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mount root's mode, owner and times, kept in the cache dir (file {@value #FILE}). Why: every
 * other node's attributes live in its parent's entry on the grid, and the root has no parent
 * here, so a {@code chmod 700} of the mount point (to keep other local users out) came back
 * 0755 at the next mount. The cache dir belongs to this root on this node, so a remount here
 * shows them again; another node mounting the same directory shows the defaults. Written (and
 * forced) at each chmod, chown or utimens of the root, and at a clean close (its mtime and
 * ctime follow changes inside it, too often to write each time). Format: docs/specs/journal.md,
 * "The root's attributes".
 */
final class RootAttributes {
  static final String FILE = "root-attributes";
  private static final String MAGIC = "cairn-root-attributes 1";
  private static final Logger LOG = LoggerFactory.getLogger(RootAttributes.class);

  private RootAttributes() {}

  /** Sets {@code root}'s fields from the file in {@code cacheDir}, if there is a good one. */
  static void load(Path cacheDir, DirNode root) {
    Path file = cacheDir.resolve(FILE);
    if (!Files.exists(file)) {
      return;
    }
    try {
      Map<String, String> v = new HashMap<>();
      String[] lines = Files.readString(file, StandardCharsets.US_ASCII).split("\n");
      if (!lines[0].equals(MAGIC)) {
        throw new IOException("not " + MAGIC);
      }
      for (int i = 1; i < lines.length; i++) {
        int sp = lines[i].indexOf(' ');
        if (sp > 0) {
          v.put(lines[i].substring(0, sp), lines[i].substring(sp + 1));
        }
      }
      int mode = Integer.parseInt(v.get("mode"), 8);
      if ((mode & ~07777) != 0) {
        throw new IOException("mode " + v.get("mode"));
      }
      int uid = Integer.parseUnsignedInt(v.get("uid"));
      int gid = Integer.parseUnsignedInt(v.get("gid"));
      Instant mtime = instant(v.get("mtime"));
      Instant ctime = instant(v.get("ctime"));
      root.mode = mode;
      root.uid = uid;
      root.gid = gid;
      root.mtime = mtime;
      root.ctime = ctime;
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: not read ({}); the mount root shows the defaults", file, e.toString());
    }
  }

  /**
   * Writes {@code r}'s fields, forced to disk when {@code force}. Caller holds the tree's lock
   * (any), so each write is of one state, and writes do not cross.
   */
  static void store(Path cacheDir, DirNode r, boolean force) throws IOException {
    String text = MAGIC + "\nmode " + Integer.toOctalString(r.mode & 07777) + "\nuid "
        + Integer.toUnsignedString(r.uid) + "\ngid " + Integer.toUnsignedString(r.gid)
        + "\nmtime " + r.mtime.getEpochSecond() + "." + r.mtime.getNano()
        + "\nctime " + r.ctime.getEpochSecond() + "." + r.ctime.getNano() + "\n";
    Path tmp = cacheDir.resolve(FILE + "." + Thread.currentThread().getId() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
      if (force) {
        ch.force(true);
      }
    }
    Files.move(tmp, cacheDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    if (force) {
      try (FileChannel dir = FileChannel.open(cacheDir, StandardOpenOption.READ)) {
        dir.force(true);
      }
    }
  }

  private static Instant instant(String s) {
    int dot = s.indexOf('.');
    return Instant.ofEpochSecond(Long.parseLong(s.substring(0, dot)),
        Long.parseLong(s.substring(dot + 1)));
  }
}
