package org.cairnfs.fs.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.mutable.MutableFiles;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the slot tests start from: ten servers and a fresh mutable slot of random bytes (1000
 * unless a test asks for more), one share on each server, with the health checker of a client
 * of that grid.
 */
abstract class SmallSlotGrid {
  @TempDir Path dir;
  TestGrid grid;
  GridClient client;
  MutableFiles mutable;
  GridHealth health;
  MutableWriteCap cap;
  StorageIndex si;
  /** What the slot was created with. */
  final byte[] contents;
  private final long seed;

  SmallSlotGrid(long seed) {
    this(seed, 1000);
  }

  SmallSlotGrid(long seed, int size) {
    this.seed = seed;
    this.contents = new byte[size];
  }

  @BeforeEach
  void create() throws Exception {
    grid = new TestGrid(dir, 10);
    client = grid.client(ImmutableHealthTest.FAST);
    mutable = MutableFiles.on(client);
    health = GridHealth.create(client);
    new Random(seed).nextBytes(contents);
    cap = mutable.create(contents).get();
    si = cap.storageIndex().orElseThrow();
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  /** The server holding slot share {@code share} (each holds one after a fresh create). */
  TestServer holder(int share) {
    return grid.servers().stream().filter(s -> s.running()
        && Files.exists(s.slotPath(si, share))).findFirst()
        .orElseThrow(() -> new AssertionError("no running server holds slot share " + share
            + " of " + si + "; what each server holds: " + holdings()));
  }

  /** Per server: running or not, and the files in the slot's directory (a failure's context). */
  private String holdings() {
    StringBuilder out = new StringBuilder();
    for (TestServer s : grid.servers()) {
      out.append('\n').append(s.running() ? "running: " : "stopped: ");
      try (Stream<Path> files = Files.list(s.slotPath(si, 0).getParent())) {
        files.forEach(f -> out.append(f.getFileName()).append(' '));
      } catch (IOException e) {
        out.append(e);
      }
    }
    return out.toString();
  }

  Path slotFile(int share) {
    return holder(share).slotPath(si, share);
  }
}
