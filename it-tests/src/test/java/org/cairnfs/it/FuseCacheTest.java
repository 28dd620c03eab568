package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel page cache over the mount keeps close-to-open consistency: a reopen reads from
 * the cache only while the file is unchanged, so a file rewritten through the mount or by
 * another client (a second mount of the same root) never reads stale after a reopen, beyond
 * the directory TTL (3 s) plus the kernel's entry and attribute timeouts (1 s); a file held
 * open here while the change arrives shows it at the first open after its close. Real FUSE
 * mounts over real storage servers, so reads also go through the grid client's pipeline.
 */
class FuseCacheTest {
  private static final int SIZE = 1 << 20;
  @TempDir
  Path work;
  GridHost grid;
  MountProcess a;
  MountProcess b;

  @AfterEach
  void cleanUp() throws Exception {
    for (MountProcess m : new MountProcess[] {a, b}) {
      if (m != null) {
        m.cleanUp();
      }
    }
    if (grid != null) {
      grid.close();
    }
  }

  private static byte[] version(int seed) {
    byte[] v = new byte[SIZE];
    new Random(seed).nextBytes(v);
    return v;
  }

  /** Writes {@code data} over the file (O_TRUNC) and returns once it is on the grid. */
  private static void writeSynced(Path f, byte[] data) throws Exception {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(data);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
  }

  @Test
  void aReopenedFileIsNeverStaleAfterAChangeHereOrByAnotherClient() throws Exception {
    MountProcess.requireFuse();
    grid = GridHost.start(work.resolve("servers"), 4);
    String[] flags = grid.mountFlags(2, 3, 4);
    a = MountProcess.start(work.resolve("grid"), work.resolve("cache-a"), work.resolve("a"),
        work.resolve("a.log"), flags);
    b = MountProcess.start(work.resolve("grid"), work.resolve("cache-b"), work.resolve("b"),
        work.resolve("b.log"), flags);
    Path fa = a.mountpoint.resolve("f");
    Path fb = b.mountpoint.resolve("f");

    byte[] v1 = version(1);
    writeSynced(fa, v1);
    awaitContent(fb, null, v1, Duration.ofSeconds(10));
    assertThat(Files.readAllBytes(fb)).as("again, from the page cache").isEqualTo(v1);

    // changed through the mount: 4 KiB in the middle, then the whole file with O_TRUNC
    byte[] patched = v1.clone();
    Arrays.fill(patched, 300_000, 300_000 + 4096, (byte) 7);
    try (RandomAccessFile raf = new RandomAccessFile(fb.toFile(), "rw")) {
      raf.seek(300_000);
      raf.write(patched, 300_000, 4096);
    }
    assertThat(Files.readAllBytes(fb)).isEqualTo(patched);
    assertThat(Files.readAllBytes(fb)).isEqualTo(patched);
    byte[] v2 = version(2);
    writeSynced(fb, v2);
    assertThat(Files.readAllBytes(fb)).isEqualTo(v2);
    assertThat(Files.readAllBytes(fb)).isEqualTo(v2);

    // rewritten by the other client with other bytes of the same size
    awaitContent(fa, null, v2, Duration.ofSeconds(10));
    byte[] v3 = version(3);
    writeSynced(fa, v3);
    awaitContent(fb, v2, v3, Duration.ofSeconds(3 + 1 + 6));
    assertThat(Files.readAllBytes(fb)).isEqualTo(v3);
    assertThat(Files.readAllBytes(fb)).isEqualTo(v3);

    // rewritten by the other client while a reader here holds the file open across the
    // listings that find the new version: the name keeps the version open here until the
    // reader's close, then the next open shows the new one (no further TTL to wait)
    byte[] v4 = version(4);
    try (FileChannel held = FileChannel.open(fb, StandardOpenOption.READ)) {
      writeSynced(fa, v4);
      long until = System.nanoTime() + Duration.ofSeconds(3 + 1 + 1).toNanos();
      while (System.nanoTime() < until) {
        assertThat(Files.size(fb)).isEqualTo(SIZE); // lookups: they start the listings
        Thread.sleep(200);
      }
      ByteBuffer first = ByteBuffer.allocate(4096);
      held.read(first, 0);
      assertThat(first.array()).isEqualTo(Arrays.copyOf(v3, 4096));
    }
    awaitContent(fb, v3, v4, Duration.ofSeconds(2));
    assertThat(Files.readAllBytes(fb)).isEqualTo(v4);
  }

  /**
   * Reopens and reads {@code f} until it shows {@code want}; fails if it takes longer than
   * {@code within}, or (when {@code before} is given) if a read shows anything else than
   * {@code before} meanwhile.
   */
  private static void awaitContent(Path f, byte[] before, byte[] want, Duration within)
      throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    byte[] got = null;
    while (System.nanoTime() < deadline) {
      if (Files.exists(f)) {
        got = Files.readAllBytes(f);
        if (Arrays.equals(got, want)) {
          return;
        }
        if (before != null) {
          assertThat(got).as("the version before, while the change is on its way")
              .isEqualTo(before);
        }
      }
      Thread.sleep(200);
    }
    assertThat(got).as(f + " after " + within).isEqualTo(want);
  }
}
