package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Small real tmpfs mounts, to make a full disk (mounting needs root: CI here runs as root; the
 * test is skipped otherwise). Close it in {@code @AfterEach}.
 */
final class TmpfsMounts implements AutoCloseable {
  private final List<Path> mounts = new ArrayList<>();

  /** A tmpfs of {@code size} (mount's syntax: "64k", "1m") at a new directory {@code at}. */
  Path mount(Path at, String size) throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
    Files.createDirectories(at);
    run("mount", "-t", "tmpfs", "-o", "size=" + size, "cairn-journal-test", at.toString());
    mounts.add(at);
    return at;
  }

  /** Writes {@code filler} until the disk under it is full. */
  static void fill(Path filler) throws IOException {
    try (var out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(new byte[4096]);
        out.flush();
      }
    } catch (IOException full) {
      // the disk is full
    }
  }

  @Override
  public void close() throws Exception {
    for (Path at : mounts) {
      run("umount", "-l", at.toString());
    }
    mounts.clear();
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as("%s: %s", String.join(" ", command), out).isZero();
  }
}
