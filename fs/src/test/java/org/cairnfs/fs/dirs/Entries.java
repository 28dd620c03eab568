package org.cairnfs.fs.dirs;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import org.cairnfs.caps.DirectoryWriteCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.dirnode.ChildWriteCapKey;
import org.cairnfs.caps.dirnode.DirectoryEntry;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.caps.dirnode.EntryMetadata;
import org.cairnfs.caps.dirnode.EntryName;

/** Directory entries for tests, with caps of realistic length. */
final class Entries {
  static final Instant TIME = Instant.ofEpochSecond(1_700_000_000L, 123_456_789);
  static final DirectoryWriteCap DIRECTORY = directory(1);

  private Entries() {}

  static DirectoryWriteCap directory(int seed) {
    byte[] w = new byte[32];
    byte[] f = new byte[32];
    w[0] = (byte) seed;
    f[0] = (byte) (seed + 100);
    return new DirectoryWriteCap(new MutableWriteCap(w, f));
  }

  /** A file entry whose chk cap is derived from {@code name} and {@code version}. */
  static DirectoryEntry file(String name, long version) {
    byte[] key = new byte[32];
    byte[] ext = new byte[32];
    long h = name.hashCode() * 31L + version;
    for (int i = 0; i < 32; i++) {
      key[i] = (byte) (h >>> (i % 8 * 8));
      ext[i] = (byte) (i + h);
    }
    String cap = new ImmutableReadCap(key, ext, 3, 10, 1000 + version).toString();
    return DirectoryEntry.of(EntryName.of(name), cap, Optional.empty(),
        EntryMetadata.of(EntryKind.FILE, 1000 + version, 0644, TIME, TIME));
  }

  /** A subdirectory entry whose write cap is sealed under {@code key}. */
  static DirectoryEntry writableDir(ChildWriteCapKey key, String name, int seed,
      SecureRandom random) {
    DirectoryWriteCap child = directory(seed);
    return DirectoryEntry.forChild(EntryName.of(name), child, Optional.of(key),
        EntryMetadata.of(EntryKind.DIRECTORY, 0, 0755, TIME, TIME), random);
  }

  /** A symlink entry to {@code target}. */
  static DirectoryEntry symlink(String name, String target) {
    return DirectoryEntry.symlink(EntryName.of(name),
        EntryMetadata.symlink(target, 0777, TIME, TIME));
  }

  static String name(int i) {
    return String.format("file-%06d.dat", i);
  }
}
