package org.cairnfs.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.CapFormatException;
import org.cairnfs.cli.config.ConfigException;

/**
 * A node's aliases: short names for directory caps, so that {@code home:docs/a.txt} names a file
 * without pasting a cap. Kept in {@code private/aliases} of the node directory, one
 * {@code name: cap} per line, readable only by the user (mode 0600): a write cap in it is the
 * authority over that directory.
 *
 * <p>Blank lines and lines starting with {@code #} are kept as they are. A rewrite goes to a
 * temporary file that replaces the old one in one rename, under a lock held across re-read and
 * rewrite, so two commands adding aliases at once both keep theirs and a crash leaves either the
 * old file or the new one.
 */
final class Aliases {
  /** Where the aliases live, relative to the node directory. */
  static final String FILE = "private/aliases";

  /** An alias: a letter, digit or underscore, then up to 63 of those, dots and dashes. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

  private final Path file;
  private final List<Line> lines;

  private Aliases(Path file, List<Line> lines) {
    this.file = file;
    this.lines = lines;
  }

  /**
   * The aliases of the node in {@code nodeDir}; none if it has no aliases file yet.
   *
   * @throws ConfigException naming the file and line of a malformed line
   */
  static Aliases load(Path nodeDir) throws IOException, ConfigException {
    Path file = nodeDir.toAbsolutePath().normalize().resolve(FILE);
    return new Aliases(file, read(file));
  }

  /** The cap stored under {@code name}. */
  Optional<String> get(String name) {
    synchronized (lines) {
      return lines.stream().filter(l -> name.equals(l.name())).map(Line::cap).findFirst();
    }
  }

  /** Every alias name, sorted. */
  SortedSet<String> names() {
    synchronized (lines) {
      TreeSet<String> out = new TreeSet<>();
      lines.stream().filter(l -> l.name() != null).forEach(l -> out.add(l.name()));
      return out;
    }
  }

  /**
   * Stores {@code cap} under {@code name}, replacing what was there, and rewrites the file
   * (re-read first under the lock, so aliases another command added meanwhile stay).
   *
   * @throws IllegalArgumentException for a name outside the grammar or a cap that is not a
   *     directory cap
   * @throws ConfigException if the file on disk has become malformed
   */
  void put(String name, String cap) throws IOException, ConfigException {
    checkName(name);
    String canonical = checkCap(name, cap);
    Path dir = file.getParent();
    createPrivateDir(dir);
    Path lockFile = dir.resolve("aliases.lock");
    synchronized (Aliases.class) { // file locks exclude other processes, not other threads
      rewrite(lockFile, name, canonical);
    }
  }

  private void rewrite(Path lockFile, String name, String canonical)
      throws IOException, ConfigException {
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
        FileLock ignored = ch.lock()) {
      List<Line> current = read(file);
      boolean replaced = false;
      for (int i = 0; i < current.size(); i++) {
        if (name.equals(current.get(i).name())) {
          current.set(i, Line.entry(name, canonical));
          replaced = true;
        }
      }
      if (!replaced) {
        current.add(Line.entry(name, canonical));
      }
      write(current);
      synchronized (lines) {
        lines.clear();
        lines.addAll(current);
      }
    }
  }

  /**
   * Refuses a name that could not be written back or read as a path: empty, too long, with a
   * colon, slash or space, starting with a dash or dot, or {@code cairn} (the cap scheme).
   */
  static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("bad alias name '" + name + "': use 1 to 64 letters,"
          + " digits, '_', '.' or '-', starting with a letter, digit or '_'");
    }
    if (name.equals(Cap.SCHEME.substring(0, Cap.SCHEME.length() - 1))) {
      throw new IllegalArgumentException("bad alias name 'cairn': it would read as a cap");
    }
  }

  private static String checkCap(String name, String cap) {
    Cap parsed;
    try {
      parsed = Cap.parse(cap);
    } catch (CapFormatException e) {
      throw new IllegalArgumentException("alias '" + name + "': " + e.getMessage());
    }
    if (!parsed.isDirectory() || !parsed.isReadable()) {
      throw new IllegalArgumentException("alias '" + name + "': not a directory read or write"
          + " cap: " + redact(cap));
    }
    return parsed.toString();
  }

  private static List<Line> read(Path file) throws IOException, ConfigException {
    List<String> text;
    try {
      text = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new ArrayList<>();
    }
    List<Line> out = new ArrayList<>();
    TreeSet<String> seen = new TreeSet<>();
    for (int i = 0; i < text.size(); i++) {
      String raw = text.get(i);
      String t = raw.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        out.add(Line.verbatim(raw));
        continue;
      }
      int colon = t.indexOf(": ");
      if (colon < 0) {
        throw new ConfigException(file, i + 1, "expected 'name: cap', got '" + redact(t)
            + "'");
      }
      String name = t.substring(0, colon).strip();
      String cap = t.substring(colon + 2).strip();
      try {
        checkName(name);
        cap = checkCap(name, cap);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(file, i + 1, e.getMessage());
      }
      if (!seen.add(name)) {
        throw new ConfigException(file, i + 1, "alias '" + name + "' appears twice; delete one"
            + " of the lines");
      }
      out.add(Line.entry(name, cap));
    }
    return out;
  }

  private void write(List<Line> content) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (Line l : content) {
      sb.append(l.name() == null ? l.raw() : l.name() + ": " + l.cap()).append('\n');
    }
    Path dir = file.getParent();
    Path tmp = dir.resolve("aliases.tmp");
    Files.deleteIfExists(tmp);
    createPrivateFile(tmp);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void createPrivateDir(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (posix(dir.getParent())) {
      Files.createDirectories(dir,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(dir);
    }
  }

  private static void createPrivateFile(Path f) throws IOException {
    if (posix(f.getParent())) {
      Files.createFile(f,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(f);
    }
  }

  private static boolean posix(Path p) {
    return p != null && p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /**
   * Text that may hold a cap, for a message: a cap shows its scheme and kind only (its secret
   * stays out of terminals and logs), other text its first 24 characters.
   */
  static String redact(String s) {
    if (s.startsWith(Cap.SCHEME)) {
      int kindEnd = s.indexOf(':', Cap.SCHEME.length());
      return (kindEnd < 0 ? s.substring(0, Math.min(s.length(), 24)) : s.substring(0, kindEnd + 1))
          + "...";
    }
    return s.length() <= 24 ? s : s.substring(0, 24) + "...";
  }

  /** One line of the file: an alias, or text kept verbatim (blank or comment). */
  private record Line(String name, String cap, String raw) {
    static Line entry(String name, String cap) {
      return new Line(name, cap, null);
    }

    static Line verbatim(String raw) {
      return new Line(null, null, raw);
    }
  }
}
