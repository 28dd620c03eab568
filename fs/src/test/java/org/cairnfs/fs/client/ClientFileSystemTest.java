package org.cairnfs.fs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.DirectoryWriteCap;
import org.cairnfs.caps.MutableReadCap;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.caps.dirnode.EntryMetadata;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.grid.ServerStatus;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.FileWrite;
import org.cairnfs.fs.mount.GridException;
import org.cairnfs.fs.mount.GridSpace;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.fs.mount.RemoteEntry;
import org.cairnfs.fs.mutable.MutableFiles;
import org.cairnfs.fs.mutable.MutableVersion;
import org.cairnfs.fs.testing.TestGrid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facade over real storage servers: files, directories, errors, space. */
class ClientFileSystemTest {
  static final GridConfig CONFIG = GridConfig.builder()
      .params(EncodingParams.builder().k(2).happy(3).n(4).segmentSize(16 * 1024).build())
      .stallTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(3)).build();
  static final Instant T = Instant.parse("2026-03-04T05:06:07.000000123Z");

  @TempDir static Path dir;
  static TestGrid grid;
  static GridClient client;
  static ClientFileSystem fs;
  static ClientFileSystem other;

  @BeforeAll
  static void start() throws Exception {
    grid = new TestGrid(dir, 4);
    client = grid.client(CONFIG);
    fs = ClientFileSystem.create(client);
    other = ClientFileSystem.create(grid.client(CONFIG));
  }

  @AfterAll
  static void stop() {
    grid.close();
  }

  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static FileWrite whole(byte[] data) {
    List<FileWrite.Range> all = data.length == 0 ? List.of()
        : List.of(new FileWrite.Range(0, data.length));
    return new FileWrite(Optional.empty(), 0, data.length, all, (off, dst) ->
        dst.put(data, (int) off, dst.remaining()));
  }

  static GridException.Kind kindOf(Throwable t) {
    Throwable c = t instanceof ExecutionException ? t.getCause() : t;
    assertThat(c).isInstanceOf(GridException.class);
    return ((GridException) c).kind();
  }

  @Test
  void filesRoundTripWholeLiteralAndEdited() throws Exception {
    byte[] data = bytes(100_000, 1);
    String cap = fs.writeFile(whole(data)).get();
    assertThat(Cap.parse(cap)).isInstanceOf(ImmutableReadCap.class);
    assertThat(other.read(cap, 0, data.length).get()).isEqualTo(data);
    assertThat(other.read(cap, 99_990, 100).get())
        .isEqualTo(Arrays.copyOfRange(data, 99_990, 100_000));
    assertThat(other.read(cap, 100_000, 10).get()).isEmpty();
    assertThat(other.sizeOf(cap)).isEqualTo(100_000);

    String tiny = fs.writeFile(whole(new byte[] {1, 2, 3})).get();
    assertThat(Cap.parse(tiny)).isInstanceOf(LiteralCap.class);
    assertThat(other.read(tiny, 1, 10).get()).containsExactly(2, 3);

    // edit: bytes 1000..1999 new, truncate the base to 50 000, grow to 60 000 (zeros after)
    byte[] patch = bytes(1000, 2);
    byte[] tail = bytes(500, 3);
    FileWrite edit = new FileWrite(Optional.of(cap), 50_000, 60_000,
        List.of(new FileWrite.Range(1000, 1000), new FileWrite.Range(59_500, 500)),
        (off, dst) -> {
          byte[] src = off < 59_500 ? patch : tail;
          long at = off < 59_500 ? off - 1000 : off - 59_500;
          dst.put(src, (int) at, dst.remaining());
        });
    String edited = fs.writeFile(edit).get();
    byte[] expect = new byte[60_000];
    System.arraycopy(data, 0, expect, 0, 50_000);
    System.arraycopy(patch, 0, expect, 1000, 1000);
    System.arraycopy(tail, 0, expect, 59_500, 500);
    assertThat(other.read(edited, 0, 60_000).get()).isEqualTo(expect);
    try (InputStream in = other.open(edited, 49_000, 2_000)) {
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(expect, 49_000, 51_000));
    }
  }

  @Test
  void uploadStreamsAndConverges() throws Exception {
    byte[] data = bytes(70_000, 4);
    String a = fs.upload(new ByteArrayInputStream(data)).get();
    try (InputStream in = other.open(a, 0, Long.MAX_VALUE)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    assertThat(fs.writeFile(whole(data)).get()).isEqualTo(a);
  }

  @Test
  void directoriesThroughTheFacade() throws Exception {
    String root = fs.createDirectory().get();
    String sub = fs.createDirectory().get();
    String file = fs.writeFile(whole(bytes(300, 5))).get();
    NodeMetadata fm = NodeMetadata.of(EntryKind.FILE, 300, 0640, T, T);
    NodeMetadata dm = NodeMetadata.of(EntryKind.DIRECTORY, 0, 0755, T, T);
    NodeMetadata lm = NodeMetadata.symlink("sub/f", 0777, T, T);
    fs.applyChanges(root, List.of(new EntryChange.Put("f", Optional.of(file), fm),
        new EntryChange.Put("sub", Optional.of(sub), dm),
        new EntryChange.Put("l", Optional.empty(), lm))).get();
    List<RemoteEntry> l = other.list(root).get();
    assertThat(l).containsExactly(new RemoteEntry("f", Optional.of(file), fm),
        new RemoteEntry("l", Optional.empty(), lm), new RemoteEntry("sub", Optional.of(sub), dm));
    String readCap = Cap.parse(root).readOnly().toString();
    assertThat(other.lookup(readCap, "sub").get().orElseThrow().cap())
        .contains(Cap.parse(sub).readOnly().toString());
    assertThat(other.lookup(root, "missing").get()).isEmpty();
    // rename across directories as the mount does it: put in the target, then remove
    fs.applyChanges(sub, List.of(new EntryChange.Put("g", Optional.of(file), fm))).get();
    fs.applyChanges(root, List.of(new EntryChange.Remove("f"))).get();
    assertThat(other.list(sub).get()).extracting(RemoteEntry::name).containsExactly("g");
    assertThat(other.list(root).get()).extracting(RemoteEntry::name).containsExactly("l", "sub");

    // xattrs and special files are kept in the entries (dirnode version 3)
    assertThat(fs.keepsUserXattrs()).isTrue();
    NodeMetadata withXattr = new NodeMetadata(EntryKind.FILE, 1, 0644, T, T, Optional.empty(),
        Map.of("user.x", new byte[] {1}, "user.\u00e9", new byte[0]));
    NodeMetadata dev = new NodeMetadata(EntryKind.BLOCK_DEVICE, 0, 0660, T, T,
        Optional.empty(), Map.of(), 0x801);
    NodeMetadata fifo = new NodeMetadata(EntryKind.FIFO, 0, 0644, T, T, Optional.empty(),
        Map.of());
    fs.applyChanges(sub, List.of(new EntryChange.Put("x", Optional.of(file), withXattr),
        new EntryChange.Put("dev", Optional.empty(), dev),
        new EntryChange.Put("p", Optional.empty(), fifo))).get();
    Map<String, RemoteEntry> listed = new java.util.TreeMap<>();
    other.list(sub).get().forEach(e -> listed.put(e.name(), e));
    assertThat(listed).containsOnlyKeys("g", "x", "dev", "p");
    assertThat(listed.get("x").metadata().xattrs()).containsOnlyKeys("user.x", "user.\u00e9");
    assertThat(listed.get("x").metadata().xattrs().get("user.x")).containsExactly(1);
    assertThat(listed.get("dev").metadata().rdev()).isEqualTo(0x801);
    assertThat(listed.get("dev").metadata().kind()).isEqualTo(EntryKind.BLOCK_DEVICE);
    assertThat(listed.get("dev").cap()).isEmpty();
    assertThat(listed.get("p").metadata().kind()).isEqualTo(EntryKind.FIFO);
    NodeMetadata tooMuch = new NodeMetadata(EntryKind.FILE, 1, 0644, T, T, Optional.empty(),
        Map.of("user.big", new byte[EntryMetadata.MAX_XATTR_BYTES]));
    assertThatThrownBy(() -> fs.applyChanges(root,
        List.of(new EntryChange.Put("x", Optional.of(file), tooMuch))).get())
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> fs.applyChanges(readCap,
        List.of(new EntryChange.Remove("l"))).get())
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThat(other.list(root).get()).hasSize(2);
  }

  @Test
  void missingObjectsAreNotFound() throws Exception {
    // a cap of a file nobody uploaded, and a directory that was never created
    String ghostFile = new ImmutableReadCap(new byte[32], new byte[32], 2, 4, 1000).toString();
    assertThatThrownBy(() -> fs.read(ghostFile, 0, 10).get())
        .satisfies(t -> assertThat(kindOf(t)).isEqualTo(GridException.Kind.NOT_FOUND));
    // a directory cap nobody created (fresh keys: no server holds its storage index)
    byte[] key = bytes(32, 8);
    byte[] fingerprint = bytes(32, 9);
    String ghostDir = new DirectoryWriteCap(new MutableWriteCap(key, fingerprint)).toString();
    assertThatThrownBy(() -> fs.list(ghostDir).get())
        .satisfies(t -> assertThat(kindOf(t)).isEqualTo(GridException.Kind.NOT_FOUND));
    // a cap of another kind is the caller's error, not the grid's
    assertThatThrownBy(() -> fs.list("cairn:nonsense").get())
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> fs.list(ghostFile).get())
        .hasCauseInstanceOf(IllegalArgumentException.class);
    try (InputStream in = fs.open(ghostFile, 0, 10)) {
      assertThatThrownBy(in::read).isInstanceOf(IOException.class)
          .hasCauseInstanceOf(GridException.class);
    }
  }

  @Test
  void spaceIsTheServersFreeSpaceOverExpansion() throws Exception {
    fs.createDirectory().get(); // connects
    long raw = client.servers().status().stream().mapToLong(ServerStatus::freeSpace)
        .filter(f -> f > 0).sum();
    assertThat(raw).isPositive();
    GridSpace s = fs.space().get();
    assertThat(s.free()).isBetween(raw / 2 - 4, raw / 2); // k/n = 2/4
  }

  @Test
  void mutableFilesThroughTheFacade() throws Exception {
    byte[] first = bytes(500, 10);
    String writeCap = fs.createMutable(first).get();
    assertThat(Cap.parse(writeCap)).isInstanceOf(MutableWriteCap.class);
    MutableReadCap readCap = ((MutableWriteCap) Cap.parse(writeCap)).readOnly();
    MutableVersion v1 = MutableFiles.on(client).read(readCap).get();

    MutableContents c1 = other.readMutable(writeCap).get();
    assertThat(c1.contents()).isEqualTo(first);
    assertThat(c1.size()).isEqualTo(500);
    assertThat(c1.seqnum()).isEqualTo(1).isEqualTo(v1.seqnum());
    // the tag: seqnum, then the first 8 bytes of the root hash in hex
    assertThat(v1.version().rootHash().length).isGreaterThan(8);
    assertThat(c1.versionTag()).isEqualTo("1-"
        + HexFormat.of().formatHex(v1.version().rootHash(), 0, 8));
    // the read cap reads the same version
    MutableContents byReadCap = other.readMutable(readCap.toString()).get();
    assertThat(byReadCap.versionTag()).isEqualTo(c1.versionTag());
    assertThat(byReadCap.contents()).isEqualTo(first);

    byte[] second = bytes(700, 11);
    MutableContents c2 = fs.overwriteMutable(writeCap, second).get();
    assertThat(c2.seqnum()).isEqualTo(2);
    assertThat(c2.contents()).isEqualTo(second);
    MutableVersion v2 = MutableFiles.on(client).read(readCap).get();
    assertThat(c2.versionTag()).isEqualTo("2-"
        + HexFormat.of().formatHex(v2.version().rootHash(), 0, 8));
    assertThat(other.readMutable(readCap.toString()).get().versionTag())
        .isEqualTo(c2.versionTag());

    // the largest mutable file is the mutable files' own bound
    assertThat(fs.maxMutableSize()).isPositive()
        .isEqualTo(MutableFiles.on(client).options().maxSize());
  }

  @Test
  void mutableCapsOfTheWrongKindAreTheCallersError() throws Exception {
    String writeCap = fs.createMutable(new byte[] {1}).get();
    String readCap = Cap.parse(writeCap).readOnly().toString();
    String dirCap = fs.createDirectory().get();
    String file = fs.writeFile(whole(bytes(100, 12))).get();
    assertThatThrownBy(() -> fs.overwriteMutable(readCap, new byte[] {2}).get())
        .cause().isExactlyInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> fs.readMutable(file).get())
        .cause().isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a mutable file cap");
    assertThatThrownBy(() -> fs.readMutable(dirCap).get())
        .cause().isExactlyInstanceOf(IllegalArgumentException.class);
    // nothing was published by the refused overwrite
    assertThat(other.readMutable(readCap).get().contents()).containsExactly(1);
    // a mutable file nobody created is not found
    String ghost = new MutableWriteCap(bytes(32, 13), bytes(32, 14)).readOnly().toString();
    assertThatThrownBy(() -> fs.readMutable(ghost).get())
        .satisfies(t -> assertThat(kindOf(t)).isEqualTo(GridException.Kind.NOT_FOUND));
  }

  @Test
  void namesTheDirectoryRefusesAreTheCallersError() throws Exception {
    String root = fs.createDirectory().get();
    String file = fs.writeFile(whole(bytes(100, 15))).get();
    NodeMetadata fm = NodeMetadata.of(EntryKind.FILE, 100, 0644, T, T);
    // a name the directory cannot hold fails as the plain IllegalArgumentException, not as a
    // format exception (which would be a grid failure, INTEGRITY)
    assertThatThrownBy(() -> fs.lookup(root, "").get())
        .cause().isExactlyInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> fs.applyChanges(root,
        List.of(new EntryChange.Put("", Optional.of(file), fm))).get())
        .cause().isExactlyInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> fs.applyChanges(root, List.of(new EntryChange.Remove(""))).get())
        .cause().isExactlyInstanceOf(IllegalArgumentException.class);
    // metadata the entry cannot hold names the entry
    NodeMetadata tooMuch = new NodeMetadata(EntryKind.FILE, 1, 0644, T, T, Optional.empty(),
        Map.of("user.big", new byte[EntryMetadata.MAX_XATTR_BYTES]));
    assertThatThrownBy(() -> fs.applyChanges(root,
        List.of(new EntryChange.Put("big", Optional.of(file), tooMuch))).get())
        .cause().isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("entry \"big\": ");
    // a file cap is not a directory
    assertThatThrownBy(() -> fs.applyChanges(file, List.of(new EntryChange.Remove("x"))).get())
        .cause().isExactlyInstanceOf(IllegalArgumentException.class);
    assertThat(other.list(root).get()).isEmpty();
  }

  @Test
  void streamFailuresAreMappedOnEitherRead() throws Exception {
    String ghostFile = new ImmutableReadCap(bytes(32, 16), bytes(32, 17), 2, 4, 1000)
        .toString();
    try (InputStream in = fs.open(ghostFile, 0, 10)) {
      assertThatThrownBy(in::read).isInstanceOf(IOException.class)
          .satisfies(t -> assertThat(kindOf(t.getCause())).isEqualTo(GridException.Kind.NOT_FOUND));
    }
    try (InputStream in = fs.open(ghostFile, 0, 10)) {
      assertThatThrownBy(() -> in.read(new byte[10], 0, 10)).isInstanceOf(IOException.class)
          .satisfies(t -> assertThat(kindOf(t.getCause())).isEqualTo(GridException.Kind.NOT_FOUND));
    }
    // a stream that works reads the same bytes one at a time and in blocks
    byte[] data = bytes(40_000, 18);
    String cap = fs.writeFile(whole(data)).get();
    try (InputStream in = other.open(cap, 100, 3)) {
      assertThat(in.read()).isEqualTo(data[100] & 0xff);
      byte[] b = new byte[5];
      assertThat(in.read(b, 1, 4)).isEqualTo(2);
      assertThat(b).containsExactly(0, data[101], data[102], 0, 0);
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void spaceReportsTotalAsFree() throws Exception {
    fs.createDirectory().get();
    GridSpace s = fs.space().get();
    assertThat(s.free()).isPositive();
    assertThat(s.total()).isEqualTo(s.free());
  }
}
