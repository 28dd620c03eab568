package org.cairnfs.storage.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.share.ShareKey;

/**
 * Where shares live under the storage dir (see {@code docs/specs/storage-layout.md}).
 *
 * <pre>
 * &lt;dir&gt;/shares/&lt;2-char prefix&gt;/&lt;26-char SI&gt;/&lt;n&gt;      immutable share n
 * &lt;dir&gt;/shares/&lt;2-char prefix&gt;/&lt;26-char SI&gt;/m&lt;n&gt;     mutable slot share n
 * &lt;dir&gt;/shares/incoming/&lt;26-char SI&gt;.&lt;n&gt;.&lt;serial&gt;.up    upload in progress
 * &lt;dir&gt;/shares/incoming/&lt;26-char SI&gt;.m&lt;n&gt;.&lt;serial&gt;.new  slot version being written
 * </pre>
 *
 * The incoming area is flat: a directory per storage index there cost a mkdir per upload and
 * stayed behind, empty, until the next start (an inode per share ever uploaded).
 *
 * Every path is built from a {@link StorageIndex} (base32 text, always 26 characters of
 * [a-z2-7]) and a {@link ShareKey} (share number 0..255), never from client text.
 */
public final class ShareLayout {
  static final String SHARES = "shares";
  static final String INCOMING = "incoming";
  static final int PREFIX_LENGTH = 2;
  private static final int INDEX_TEXT_LENGTH = 26;

  private final Path sharesDir;
  private final Path incomingDir;

  public ShareLayout(Path storageDir) {
    this.sharesDir = storageDir.resolve(SHARES);
    this.incomingDir = sharesDir.resolve(INCOMING);
  }

  public Path sharesDir() {
    return sharesDir;
  }

  Path incomingDir() {
    return incomingDir;
  }

  Path indexDir(StorageIndex index) {
    String text = index.toString();
    return sharesDir.resolve(text.substring(0, PREFIX_LENGTH)).resolve(text);
  }

  Path sharePath(ShareKey key) {
    return indexDir(key.index()).resolve(key.fileName());
  }

  /**
   * The file of one upload of {@code key}; the serial makes it the upload's own, so dropping
   * a stale upload can never delete the file of a newer one of the same share.
   */
  Path incomingPath(ShareKey key, long serial) {
    return incomingDir.resolve(key.index() + "." + key.fileName() + "." + serial + ".up");
  }

  Path slotTempPath(ShareKey key, long serial) {
    return incomingDir.resolve(key.index() + "." + key.fileName() + "." + serial + ".new");
  }

  /** The prefix directories, sorted; junk names are skipped. */
  public List<Path> prefixDirs() throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(sharesDir)) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (name.length() == PREFIX_LENGTH && isBase32(name) && Files.isDirectory(dir)) {
          out.add(dir);
        }
      }
    } catch (NoSuchFileException e) {
      return out;
    }
    out.sort(null);
    return out;
  }

  /**
   * The storage indexes that have a directory under {@code prefixDir}, sorted. Holds them all:
   * for tools and tests; walks over the whole store use {@link #eachIndexUnder}.
   */
  public List<StorageIndex> indexesUnder(Path prefixDir) throws IOException {
    List<StorageIndex> out = new ArrayList<>();
    try (Stream<StorageIndex> indexes = eachIndexUnder(prefixDir)) {
      indexes.forEach(out::add);
    } catch (DirectoryIteratorException e) {
      throw e.getCause();
    }
    out.sort(null);
    return out;
  }

  /**
   * The storage indexes that have a directory under {@code prefixDir}, in directory order, read
   * as the stream is consumed (close it; a read failure is a {@link DirectoryIteratorException}).
   * Why not a list: clients choose immutable storage indexes, so one can put millions under
   * one prefix, and their list would fill the heap at every start. Directories made or removed
   * meanwhile may or may not be seen.
   */
  public Stream<StorageIndex> eachIndexUnder(Path prefixDir) throws IOException {
    String prefix = prefixDir.getFileName().toString();
    DirectoryStream<Path> dirs;
    try {
      dirs = Files.newDirectoryStream(prefixDir);
    } catch (NoSuchFileException e) {
      return Stream.empty();
    }
    return StreamSupport.stream(dirs.spliterator(), false)
        .onClose(() -> {
          try {
            dirs.close();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        })
        .flatMap(dir -> parseIndex(dir.getFileName().toString()).stream())
        .filter(si -> si.toString().startsWith(prefix));
  }

  /** The shares (both kinds) held for {@code index}, sorted by file name. */
  public List<ShareKey> sharesOf(StorageIndex index) throws IOException {
    List<ShareKey> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(indexDir(index))) {
      for (Path file : files) {
        ShareKey.fromFileName(index, file.getFileName().toString()).ifPresent(out::add);
      }
    } catch (NoSuchFileException e) {
      return out;
    }
    out.sort((a, b) -> a.fileName().compareTo(b.fileName()));
    return out;
  }

  static Optional<StorageIndex> parseIndex(String name) {
    if (name.length() != INDEX_TEXT_LENGTH || !isBase32(name)) {
      return Optional.empty();
    }
    try {
      return Optional.of(StorageIndex.parse(name));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static boolean isBase32(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'))) {
        return false;
      }
    }
    return true;
  }
}
