package org.cairnfs.fs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.LiteralDirectoryCap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.UploadResult;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.fs.mount.RemoteEntry;
import org.cairnfs.fs.testing.TestGrid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deep check over a tree with what cannot be checked in it (an entry that is no cap, a cap of
 * an unknown kind, a directory that cannot be listed, a root that is no cap) and a file that is
 * lost: each counted and reported, none taken for healthy.
 */
class DeepCheckFailuresTest {
  static final NodeMetadata FILE = NodeMetadata.of(EntryKind.FILE, 1, 0644,
      Instant.EPOCH, Instant.EPOCH);
  @TempDir Path dir;
  TestGrid grid;
  GridClient client;
  GridHealth health;

  @BeforeEach
  void start() throws Exception {
    grid = new TestGrid(dir, 10);
    client = grid.client(ImmutableHealthTest.FAST);
    health = GridHealth.create(client);
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  /** Directories listed from a map; any other directory cannot be listed. */
  static GridFileSystem listing(Map<String, List<RemoteEntry>> directories) {
    return (GridFileSystem) Proxy.newProxyInstance(GridFileSystem.class.getClassLoader(),
        new Class<?>[] {GridFileSystem.class}, (proxy, method, args) -> {
          if (!method.getName().equals("list")) {
            throw new UnsupportedOperationException(method.getName());
          }
          List<RemoteEntry> entries = directories.get((String) args[0]);
          return entries == null
              ? CompletableFuture.failedFuture(new IOException("no such directory"))
              : CompletableFuture.completedFuture(entries);
        });
  }

  static RemoteEntry entry(String name, String cap) {
    return new RemoteEntry(name, Optional.ofNullable(cap), FILE);
  }

  @Test
  void whatCannotBeCheckedIsCountedAndALostFileIsUnrecoverable() throws Exception {
    byte[] data = new byte[5000];
    new Random(4).nextBytes(data);
    UploadResult up = client.upload(PlaintextSource.of(data)).get();
    ImmutableReadCap lost = (ImmutableReadCap) up.cap();
    for (int share = 0; share < 8; share++) {
      Files.delete(grid.byId(up.placement().get(share).get(0)).sharePath(lost.index(), share));
    }
    String root = new LiteralDirectoryCap(new LiteralCap("root".getBytes())).toString();
    String unlistable = new LiteralDirectoryCap(new LiteralCap("sub".getBytes())).toString();
    String tiny = new LiteralCap("tiny".getBytes()).toString();
    GridFileSystem fs = listing(Map.of(root, List.of(
        entry("link", null),
        entry("garbage", "not a cap"),
        entry("future", "cairn:future-kind:abc"),
        entry("sub", unlistable),
        entry("lost", lost.toString()),
        entry("tiny", tiny))));

    List<HealthReport> seen = new ArrayList<>();
    DeepCheckSummary s = health.deepCheck(fs, root, false, false, seen::add).get();
    // root, sub, lost and tiny checked; garbage, future and sub's listing could not be
    assertThat(s).isEqualTo(new DeepCheckSummary(4, 3, 1, 0, 1, 3));
    assertThat(seen).filteredOn(r -> r.cap().equals("(entry garbage)")).singleElement()
        .satisfies(r -> {
          assertThat(r.kind()).isEqualTo("entry");
          assertThat(r.healthy()).isFalse();
          assertThat(r.notes()).singleElement().satisfies(n -> assertThat(n)
              .startsWith("not a cap this version reads"));
        });
    assertThat(seen).filteredOn(r -> r.cap().equals("cairn:future-kind:abc")).singleElement()
        .satisfies(r -> {
          assertThat(r.kind()).isEqualTo("file");
          assertThat(r.recoverable()).isFalse();
          assertThat(r.notes()).singleElement().satisfies(n -> assertThat(n)
              .startsWith("check failed: "));
        });
    assertThat(seen).filteredOn(r -> r.notes().stream().anyMatch(n -> n.startsWith(
        "could not be listed"))).singleElement().satisfies(r -> {
          assertThat(r.cap()).isEqualTo(unlistable);
          assertThat(r.kind()).isEqualTo("directory");
          assertThat(r.healthy()).isFalse();
        });
    assertThat(seen).filteredOn(r -> r.cap().equals(lost.verifier().toString())).singleElement()
        .satisfies(r -> assertThat(r.recoverable()).isFalse());
    assertThat(seen).hasSize(7);
  }

  @Test
  void aDirectoryWhoseOwnCheckFailsIsStillListedAndWhatItHoldsChecked() throws Exception {
    String root = "cairn:future-kind:abc"; // parses, but no checker takes it
    String tiny = new LiteralCap("tiny".getBytes()).toString();
    GridFileSystem fs = listing(Map.of(root, List.of(entry("tiny", tiny))));
    List<HealthReport> seen = new ArrayList<>();
    DeepCheckSummary s = health.deepCheck(fs, root, false, false, seen::add).get();
    assertThat(s).isEqualTo(new DeepCheckSummary(1, 1, 0, 0, 0, 1));
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0)).satisfies(r -> {
      assertThat(r.cap()).isEqualTo(root);
      assertThat(r.kind()).isEqualTo("directory");
      assertThat(r.notes()).singleElement().satisfies(n -> assertThat(n)
          .startsWith("check failed: cannot check a cap of a kind"));
    });
    assertThat(seen.get(1).cap()).isEqualTo(tiny);
  }

  @Test
  void aRootThatIsNoCapIsOneFailureAndNothingElse() throws Exception {
    List<HealthReport> seen = new ArrayList<>();
    DeepCheckSummary s = health.deepCheck(listing(Map.of()), "not a cap", false, false,
        seen::add).get();
    assertThat(s).isEqualTo(new DeepCheckSummary(0, 0, 0, 0, 0, 1));
    assertThat(s.format()).endsWith(", 1 could not be checked");
    assertThat(seen).singleElement().satisfies(r -> {
      assertThat(r.cap()).isEqualTo("(unreadable cap)");
      assertThat(r.kind()).isEqualTo("directory");
      assertThat(r.healthy()).isFalse();
    });
  }
}
