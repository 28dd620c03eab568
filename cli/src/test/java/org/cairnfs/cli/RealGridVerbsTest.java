package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.fs.client.ClientFileSystem;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.health.GridHealth;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verbs over the real client ({@link ClientFileSystem}, {@link GridHealth}) and ten real
 * storage servers on loopback in this JVM: round trips, a tree copy, and corrupted shares that
 * verify reports and repair heals.
 */
class RealGridVerbsTest {
  static final GridConfig FAST = GridConfig.builder().stallTimeout(Duration.ofSeconds(3))
      .readTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  static Path dir;
  static TestGrid grid;
  static VerbFixture f;

  @BeforeAll
  static void start() throws Exception {
    grid = new TestGrid(dir.resolve("grid"), 10);
    GridClient client = grid.client(FAST);
    GridFileSystem files = ClientFileSystem.create(client);
    GridHealth health = GridHealth.create(client);
    f = new VerbFixture(dir, new GridOpener.Session() {
      @Override
      public GridFileSystem files() {
        return files;
      }

      @Override
      public GridHealth health() {
        return health;
      }

      @Override
      public void close() {}
    });
    assertThat(f.run("create-alias", "home")).as(f.err()).isZero();
  }

  @AfterAll
  static void stop() {
    grid.close();
  }

  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void putGetLsMvRmAndATree() throws Exception {
    Path big = Files.write(dir.resolve("big"), bytes(700_000, 1));
    assertThat(f.run("put", big.toString(), "home:big")).as(f.err()).isZero();
    String cap = f.lastLine();
    Path out = dir.resolve("big.out");
    assertThat(f.run("get", "home:big", out.toString())).as(f.err()).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(bytes(700_000, 1));
    assertThat(f.run("get", cap, "-")).isZero();
    assertThat(f.stdoutBytes()).isEqualTo(bytes(700_000, 1));
    assertThat(f.run("mkdir", "home:d")).as(f.err()).isZero();
    assertThat(f.run("mv", "home:big", "home:d/big2")).as(f.err()).isZero();
    assertThat(f.run("ls", "home:d")).isZero();
    assertThat(f.out()).isEqualTo("big2\n");
    Path tree = Files.createDirectories(dir.resolve("tree/sub"));
    for (int i = 0; i < 30; i++) {
      Files.write(tree.getParent().resolve("f" + i), bytes(4096, 100 + i));
    }
    Files.write(tree.resolve("deep"), bytes(10, 7));
    assertThat(f.run("cp", "-r", tree.getParent().toString(), "home:d/tree")).as(f.err())
        .isZero();
    assertThat(f.run("ls", "home:d/tree")).isZero();
    assertThat(f.out().lines()).hasSize(31).contains("f17", "sub");
    Path back = dir.resolve("back");
    assertThat(f.run("cp", "-r", "home:d/tree", back.toString())).as(f.err()).isZero();
    assertThat(Files.readAllBytes(back.resolve("f17"))).isEqualTo(bytes(4096, 117));
    assertThat(Files.readAllBytes(back.resolve("sub/deep"))).isEqualTo(bytes(10, 7));
    assertThat(f.run("rm", "-r", "home:d")).isZero();
    assertThat(f.run("ls", "home:")).isZero();
    assertThat(f.out().lines()).doesNotContain("d");
  }

  @Test
  void verifyReportsCorruptSharesAndRepairHealsThem() throws Exception {
    Path file = Files.write(dir.resolve("c"), bytes(300_000, 3));
    assertThat(f.run("put", file.toString(), "home:c")).as(f.err()).isZero();
    StorageIndex si = Cap.parse(f.lastLine()).storageIndex().orElseThrow();
    assertThat(f.run("check", "home:c")).as(f.err()).isZero();
    assertThat(f.out()).contains("healthy");
    List<Path> shares = new ArrayList<>();
    for (TestServer s : grid.servers()) {
      for (int n : s.shares(si)) {
        shares.add(s.sharePath(si, n));
      }
    }
    assertThat(shares).hasSizeGreaterThanOrEqualTo(2);
    for (Path share : shares.subList(0, 2)) {
      long size = Files.size(share);
      try (RandomAccessFile raf = new RandomAccessFile(share.toFile(), "rw")) {
        raf.seek(size / 2);
        byte[] b = new byte[64];
        raf.readFully(b);
        for (int i = 0; i < b.length; i++) {
          b[i] ^= (byte) 0xff;
        }
        raf.seek(size / 2);
        raf.write(b);
      }
    }
    Path out = dir.resolve("c.out");
    assertThat(f.run("get", "home:c", out.toString())).as(f.err()).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(bytes(300_000, 3));
    assertThat(f.run("verify", "home:c")).isEqualTo(ExitCode.FAILURE.code);
    assertThat(f.out()).contains("corrupt");
    assertThat(f.err()).startsWith("cairn: not healthy: home:c");
    assertThat(f.run("repair", "home:c")).as(f.err()).isZero();
    assertThat(f.run("verify", "home:c")).as(f.out() + f.err()).isZero();
    assertThat(f.run("deep-check", "--verify", "home:")).as(f.out() + f.err()).isZero();
    assertThat(f.lastLine()).contains("objects checked").contains("0 not healthy");
  }
}
