package org.cairnfs.fs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.FileWrite;
import org.cairnfs.fs.mount.GridSpace;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.fs.mount.RemoteEntry;
import org.cairnfs.fs.testing.TestGrid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interface's defaults (spooled upload, size from the cap, lookup by listing, no mutable
 * files) on a grid file system that overrides only what it must, over the real client.
 */
class GridFileSystemDefaultsTest {
  static final Instant T = Instant.parse("2026-12-04T12:00:00Z");

  @TempDir static Path dir;
  static TestGrid grid;
  static ClientFileSystem real;
  static GridFileSystem plain;

  /** Only the abstract methods, each handed to the real client. */
  static final class OnlyTheAbstract implements GridFileSystem {
    private final ClientFileSystem to;

    OnlyTheAbstract(ClientFileSystem to) {
      this.to = to;
    }

    @Override
    public CompletableFuture<List<RemoteEntry>> list(String directoryCap) {
      return to.list(directoryCap);
    }

    @Override
    public CompletableFuture<byte[]> read(String fileCap, long offset, int length) {
      return to.read(fileCap, offset, length);
    }

    @Override
    public CompletableFuture<String> writeFile(FileWrite write) {
      return to.writeFile(write);
    }

    @Override
    public CompletableFuture<String> createDirectory() {
      return to.createDirectory();
    }

    @Override
    public CompletableFuture<List<EntryChange.Outcome>> applyChanges(String directoryCap,
      List<EntryChange> changes) {
      return to.applyChanges(directoryCap, changes);
    }

    @Override
    public CompletableFuture<GridSpace> space() {
      return to.space();
    }

    @Override
    public boolean keepsUserXattrs() {
      return false;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    grid = new TestGrid(dir.resolve("grid"), 4);
    real = SmallChunks.fileSystem(grid.client(ClientFileSystemTest.CONFIG), 32 * 1024);
    plain = new OnlyTheAbstract(real);
  }

  @AfterAll
  static void stop() {
    grid.close();
  }

  static long spools() throws Exception {
    try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("cairn-upload")).count();
    }
  }

  /** Open descriptors of this process on an upload spool (deleted or not); -1 without /proc. */
  static long openSpools() throws Exception {
    Path fds = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fds)) {
      return -1;
    }
    long n = 0;
    try (var s = Files.list(fds)) {
      for (Path fd : s.toList()) {
        try {
          if (Files.readSymbolicLink(fd).toString().contains("cairn-upload")) {
            n++;
          }
        } catch (java.io.IOException gone) {
          // the listing's own descriptor, closed by now
        }
      }
    }
    return n;
  }

  @Test
  void aListingPageIsCutFromTheWholeListingInUtf8Order() throws Exception {
    String root = real.createDirectory().get();
    NodeMetadata fm = NodeMetadata.symlink("t", 0777, T, T); // an entry with no cap
    List<EntryChange> puts = new java.util.ArrayList<>();
    // U+FFE0 and U+1F600: UTF-16 puts the second first, UTF-8 (the directory's order) the first
    for (String n : List.of("b", "\uffe0", "a", "\ud83d\ude00", "c")) {
      puts.add(new EntryChange.Put(n, Optional.empty(), fm));
    }
    puts.set(4, new EntryChange.Put("c", Optional.empty(), new NodeMetadata(EntryKind.SYMLINK, 1,
        0777, T, T, Optional.of("t"), java.util.Map.of("user.big", new byte[30_000]))));
    real.applyChanges(root, puts).get();
    assertThat(real.list(root).get()).filteredOn(e -> e.name().equals("c")).singleElement()
        .satisfies(e -> assertThat(e.metadata().xattrs()).containsKey("user.big")); // list keeps
    for (GridFileSystem fs : List.of(plain, real)) {
      assertThat(fs.listPage(root, null, 2).get()).extracting(RemoteEntry::name)
          .containsExactly("a", "b");
      assertThat(fs.listPage(root, "b", 2).get()).extracting(RemoteEntry::name)
          .containsExactly("c", "\uffe0");
      assertThat(fs.listPage(root, "\uffe0", 2).get()).extracting(RemoteEntry::name)
          .containsExactly("\ud83d\ude00");
      assertThat(fs.listPage(root, "\ud83d\ude00", 2).get()).isEmpty();
      assertThat(fs.listPage(root, "b", 1).get()).singleElement()
          .satisfies(e -> assertThat(e.metadata().xattrs()).isEmpty()); // "c", xattrs dropped
      assertThatThrownBy(() -> { // thrown, or a failed future: either names the bad size
        try {
          fs.listPage(root, null, 0).get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw e.getCause();
        }
      }).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
    }
  }

  @Test
  void uploadClosesItsSpool() throws Exception {
    assumeTrue(openSpools() >= 0, "needs /proc/self/fd");
    long before = openSpools();
    for (int i = 0; i < 3; i++) {
      byte[] data = ClientFileSystemTest.bytes(20_000, 40 + i);
      String cap = plain.upload(new ByteArrayInputStream(data)).get();
      assertThat(real.read(cap, 0, data.length).get()).isEqualTo(data);
    }
    assertThat(openSpools()).isEqualTo(before);
  }

  @Test
  void uploadSpoolsTheStreamAndWritesItWhole() throws Exception {
    long before = spools();
    byte[] data = ClientFileSystemTest.bytes(100_000, 30);
    String cap = plain.upload(new ByteArrayInputStream(data)).get();
    assertThat(real.read(cap, 0, data.length).get()).isEqualTo(data);
    // the same bytes as the real client's own upload: same convergent cap
    assertThat(real.upload(new ByteArrayInputStream(data)).get()).isEqualTo(cap);
    String empty = plain.upload(new ByteArrayInputStream(new byte[0])).get();
    assertThat(plain.sizeOf(empty)).isZero();
    assertThat(real.read(empty, 0, 10).get()).isEmpty();
    assertThat(spools()).isEqualTo(before);
  }

  @Test
  void sizeComesFromEachKindOfFileCap() throws Exception {
    String literal = real.writeFile(ClientFileSystemTest.whole(new byte[] {1, 2, 3, 4, 5}))
        .get();
    assertThat(Cap.parse(literal)).isInstanceOf(LiteralCap.class);
    assertThat(plain.sizeOf(literal)).isEqualTo(5);
    String immutable = real.writeFile(ClientFileSystemTest.whole(
        ClientFileSystemTest.bytes(10_000, 31))).get();
    assertThat(Cap.parse(immutable)).isInstanceOf(ImmutableReadCap.class);
    assertThat(plain.sizeOf(immutable)).isEqualTo(10_000);
    String chunked = real.writeFile(ClientFileSystemTest.whole(
        ClientFileSystemTest.bytes(70_000, 32))).get();
    assertThat(Cap.parse(chunked)).isInstanceOf(ChunkedReadCap.class);
    assertThat(plain.sizeOf(chunked)).isEqualTo(70_000);
    String directory = real.createDirectory().get();
    assertThatThrownBy(() -> plain.sizeOf(directory))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a file read cap");
  }

  @Test
  void lookupFindsTheEntryByName() throws Exception {
    String root = real.createDirectory().get();
    NodeMetadata m = NodeMetadata.of(EntryKind.FILE, 3, 0644, T, T);
    String a = real.writeFile(ClientFileSystemTest.whole(new byte[] {1, 2, 3})).get();
    String b = real.writeFile(ClientFileSystemTest.whole(new byte[] {4, 5, 6})).get();
    real.applyChanges(root, List.of(new EntryChange.Put("a", Optional.of(a), m),
        new EntryChange.Put("b", Optional.of(b), m))).get();
    assertThat(plain.lookup(root, "b").get()).contains(new RemoteEntry("b", Optional.of(b), m));
    assertThat(plain.lookup(root, "a").get().orElseThrow().cap()).contains(a);
    assertThat(plain.lookup(root, "c").get()).isEmpty();
  }

  @Test
  void noMutableFiles() throws Exception {
    assertThat(plain.maxMutableSize()).isZero();
    assertThatThrownBy(() -> plain.createMutable(new byte[1]).get())
        .cause().isInstanceOf(UnsupportedOperationException.class);
    String cap = real.createMutable(new byte[] {7}).get();
    assertThatThrownBy(() -> plain.readMutable(cap).get())
        .cause().isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> plain.overwriteMutable(cap, new byte[1]).get())
        .cause().isInstanceOf(UnsupportedOperationException.class);
  }
}
