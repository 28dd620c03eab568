package org.cairnfs.fs.gateway;

import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.MemoryGrid;
import org.cairnfs.fs.mount.NodeMetadata;

/** Puts files and directories on a grid for the tests. */
final class GridContent {
  static final Instant MTIME = Instant.parse("2026-03-04T05:06:07.123456789Z");

  private GridContent() {}

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Uploads {@code content} and links it as {@code name} in {@code dirCap}; the file's cap. */
  static String file(MemoryGrid grid, String dirCap, String name, byte[] content)
      throws Exception {
    String cap = grid.upload(new ByteArrayInputStream(content)).get();
    grid.applyChanges(dirCap, List.of(new EntryChange.Put(name, Optional.of(cap),
        NodeMetadata.of(EntryKind.FILE, content.length, 0644, MTIME, MTIME)))).get();
    return cap;
  }

  /** Makes a directory {@code name} in {@code dirCap}; its write cap. */
  static String dir(MemoryGrid grid, String dirCap, String name) throws Exception {
    String cap = grid.createDirectory().get();
    grid.applyChanges(dirCap, List.of(new EntryChange.Put(name, Optional.of(cap),
        NodeMetadata.of(EntryKind.DIRECTORY, 0, 0755, MTIME, MTIME)))).get();
    return cap;
  }

  static String readCap(String cap) {
    return org.cairnfs.caps.Cap.parse(cap).readOnly().toString();
  }
}
