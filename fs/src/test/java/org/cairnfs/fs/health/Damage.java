package org.cairnfs.fs.health;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/** Damages share files on a test server's disk, as a failing disk or a bad actor would. */
final class Damage {
  private Damage() {}

  /** Flips every bit of the byte at {@code offset}. */
  static void flip(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0xff);
    }
  }

  static long size(Path file) throws IOException {
    return java.nio.file.Files.size(file);
  }
}
