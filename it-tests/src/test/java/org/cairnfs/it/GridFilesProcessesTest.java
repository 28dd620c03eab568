package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.fs.client.ClientFileSystem;
import org.cairnfs.fs.files.FilesConfig;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.grid.ServerPool;
import org.cairnfs.fs.health.GridHealth;
import org.cairnfs.fs.health.HealthReport;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.FileWrite;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.fs.mount.RemoteEntry;
import org.cairnfs.fs.testing.TestGrid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grid client library over ten real storage servers in a process of their own
 * ({@link GridHost}), 3-of-10 with happiness 7 and the default 4 MiB chunks of 128 KiB
 * segments: round trips at every size boundary up to 100 MiB checked by SHA-256, range reads at
 * chunk and segment edges, a rewrite and an append counted in bytes the servers received,
 * shares corrupted, truncated and deleted on the servers' disks then checked and repaired with
 * only the verify cap, and a directory read cap that reads a whole tree and writes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GridFilesProcessesTest {
  private static final int SEG = 128 << 10;
  private static final int CHUNK = FilesConfig.DEFAULT_CHUNK_SIZE;

  @TempDir
  static Path tmp;

  private GridHost host;
  private GridClient client;
  private ClientFileSystem fs;
  private GridHealth health;

  @BeforeAll
  void start() throws Exception {
    host = GridHost.start(tmp.resolve("host"), 10);
    client = TestGrid.clientOf(host.serversFile, tmp.resolve("client"), GridConfig.builder()
        .params(EncodingParams.builder().k(3).happy(7).n(10).segmentSize(SEG).build()).build());
    ServerPool pool = client.servers();
    fs = ClientFileSystem.create(client);
    health = GridHealth.create(client);
    for (var id : pool.serverIds()) {
      pool.connect(id).get(60, java.util.concurrent.TimeUnit.SECONDS);
    }
    assertThat(pool.connectedCount()).as("servers connected").isEqualTo(10);
  }

  @AfterAll
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (host != null) {
      host.close();
    }
  }

  /** Byte {@code i} of the content {@code seed}: random access, no period within a file. */
  private static byte at(long seed, long i) {
    long z = seed * 0x9E3779B97F4A7C15L + (i >>> 3) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return (byte) (z >>> ((i & 7) * 8));
  }

  private static FileWrite.Source source(long seed) {
    return (offset, dst) -> {
      long i = offset;
      while (dst.hasRemaining()) {
        dst.put(at(seed, i++));
      }
    };
  }

  private static byte[] expected(long seed, long offset, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = at(seed, offset + i);
    }
    return b;
  }

  private static String sha256(long seed, long size) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 16];
    for (long at = 0; at < size; at += buf.length) {
      int n = (int) Math.min(buf.length, size - at);
      source(seed).read(at, ByteBuffer.wrap(buf, 0, n));
      md.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private String sha256Of(String cap, long size) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 16];
    long total = 0;
    try (InputStream in = fs.open(cap, 0, size)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
        total += n;
      }
    }
    assertThat(total).as("bytes read of %s", cap).isEqualTo(size);
    return HexFormat.of().formatHex(md.digest());
  }

  private String write(long seed, long size) throws Exception {
    List<FileWrite.Range> all = size == 0 ? List.of() : List.of(new FileWrite.Range(0, size));
    return fs.writeFile(new FileWrite(Optional.empty(), 0, size, all, source(seed))).get();
  }

  @Test
  @Order(1)
  void roundTripsAtEverySizeBoundaryCheckedBySha256() throws Exception {
    long[] sizes = {0, 1, 55, 56, SEG - 1, SEG, SEG + 1, CHUNK - 1, CHUNK, CHUNK + 1,
        3L * CHUNK + 5, 100L << 20};
    for (int i = 0; i < sizes.length; i++) {
      long size = sizes[i];
      String cap = write(100 + i, size);
      assertThat(fs.sizeOf(cap)).as("size of %s", cap).isEqualTo(size);
      assertThat(sha256Of(cap, size)).as("%d bytes", size).isEqualTo(sha256(100 + i, size));
      // The same bytes again give the same cap (convergent), found on the servers.
      if (size > 0 && size <= CHUNK + 1) {
        assertThat(write(100 + i, size)).isEqualTo(cap);
      }
    }
  }

  @Test
  @Order(2)
  void rangeReadsAtChunkAndSegmentEdges() throws Exception {
    long size = 3L * CHUNK + 5;
    String cap = write(7, size);
    long[][] ranges = {{0, 1}, {SEG - 1, 2}, {SEG, SEG}, {CHUNK - SEG - 1, SEG + 2},
        {CHUNK - 1, 2}, {CHUNK, 1}, {2L * CHUNK - 3, 7}, {CHUNK - 10, CHUNK + 20},
        {size - 6, 6}, {size - 1, 1}, {3L * CHUNK, 5}};
    for (long[] r : ranges) {
      assertThat(fs.read(cap, r[0], (int) r[1]).get()).as("[%d, +%d)", r[0], r[1])
          .isEqualTo(expected(7, r[0], (int) r[1]));
      try (InputStream in = fs.open(cap, r[0], r[1])) {
        assertThat(in.readAllBytes()).isEqualTo(expected(7, r[0], (int) r[1]));
      }
    }
  }

  @Test
  @Order(3)
  void aRewrittenByteAndAnAppendUploadOnlyTheChunksTheyTouch() throws Exception {
    long size = 5L * CHUNK;
    String base = write(11, size);
    long oneChunkShares = (long) CHUNK * 10 / 3; // a chunk's ten shares, data alone

    // One byte in the middle of chunk 2: the new version is seed 11 with that byte changed.
    long mid = 2L * CHUNK + CHUNK / 2;
    byte changed = (byte) (at(11, mid) ^ 0x5a);
    FileWrite.Source edited = (offset, dst) -> {
      long i = offset;
      while (dst.hasRemaining()) {
        dst.put(i == mid ? changed : at(11, i));
        i++;
      }
    };
    long before = host.received();
    String rewritten = fs.writeFile(new FileWrite(Optional.of(base), size, size,
        List.of(new FileWrite.Range(mid, 1)), edited)).get();
    long cost = host.received() - before;
    assertThat(cost).as("bytes the servers received for a one-byte rewrite")
        .isGreaterThan(oneChunkShares).isLessThan(oneChunkShares + oneChunkShares / 2);
    assertThat(fs.read(rewritten, mid - 1, 3).get())
        .containsExactly(at(11, mid - 1), changed, at(11, mid + 1));
    assertThat(fs.read(rewritten, 0, 16).get()).isEqualTo(expected(11, 0, 16));
    assertThat(fs.read(base, mid, 1).get()).containsExactly(at(11, mid)); // the old one stays

    // Append half a chunk: only the new chunk and the manifest are sent.
    long grown = size + CHUNK / 2;
    before = host.received();
    String appended = fs.writeFile(new FileWrite(Optional.of(base), size, grown,
        List.of(new FileWrite.Range(size, grown - size)), source(11))).get();
    cost = host.received() - before;
    assertThat(cost).as("bytes the servers received for appending half a chunk")
        .isGreaterThan(oneChunkShares / 2).isLessThan(oneChunkShares);
    assertThat(sha256Of(appended, grown)).isEqualTo(sha256(11, grown));
  }

  /** The share files of {@code si} on the servers' disks. */
  private List<Path> shareFiles(StorageIndex si) throws IOException {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> dirs = Files.find(tmp.resolve("host"), 8,
        (p, a) -> a.isDirectory() && p.getFileName().toString().equals(si.toString()))) {
      for (Path d : dirs.toList()) {
        try (Stream<Path> shares = Files.list(d)) {
          shares.filter(Files::isRegularFile).forEach(found::add);
        }
      }
    }
    found.sort(null);
    return found;
  }

  @Test
  @Order(4)
  void damagedSharesOnDiskAreReadAroundCheckedAndRepairedWithTheVerifyCap() throws Exception {
    long size = 2L * CHUNK + 1000;
    String cap = write(21, size);
    String verifyCap = Cap.parse(cap).verifyCap().orElseThrow().toString();
    HealthReport fresh = health.check(verifyCap, true).get();
    assertThat(fresh.healthy()).as(fresh.format()).isTrue();
    assertThat(fresh.parts()).hasSize(4); // manifest node and three chunks

    // Chunk 1: one share corrupted, one truncated, one deleted. The manifest node: one deleted.
    StorageIndex chunk = Cap.parse(fresh.parts().get(2).cap()).storageIndex().orElseThrow();
    StorageIndex node = Cap.parse(fresh.parts().get(0).cap()).storageIndex().orElseThrow();
    List<Path> chunkShares = shareFiles(chunk);
    assertThat(chunkShares).hasSize(10);
    try (FileChannel ch = FileChannel.open(chunkShares.get(0), StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      long at = ch.size() / 2;
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, at);
      one.put(0, (byte) (one.get(0) ^ 1)).rewind();
      ch.write(one, at);
    }
    try (FileChannel ch = FileChannel.open(chunkShares.get(1), StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() / 3);
    }
    Files.delete(chunkShares.get(2));
    Files.delete(shareFiles(node).get(0));

    assertThat(sha256Of(cap, size)).isEqualTo(sha256(21, size)); // reads around the damage
    HealthReport damaged = health.check(verifyCap, true).get();
    assertThat(damaged.healthy()).isFalse();
    assertThat(damaged.recoverable()).isTrue();
    assertThat(damaged.unhealthyParts()).extracting(HealthReport::cap)
        .containsExactlyInAnyOrder(fresh.parts().get(0).cap(), fresh.parts().get(2).cap());
    HealthReport chunkReport = damaged.parts().get(2);
    assertThat(chunkReport.corruptShares().size() + chunkReport.missingShares().size())
        .as(damaged.format()).isEqualTo(3);

    HealthReport repaired = health.repair(verifyCap).get();
    assertThat(repaired.healthy()).as(repaired.format()).isTrue();
    HealthReport after = health.check(verifyCap, true).get();
    assertThat(after.healthy()).as(after.format()).isTrue();
    assertThat(after.parts()).allSatisfy(p -> assertThat(p.goodShares()).hasSize(10));
    assertThat(sha256Of(cap, size)).isEqualTo(sha256(21, size));
  }

  @Test
  @Order(5)
  void aDirectoryReadCapReadsTheWholeTreeAndWritesNothing() throws Exception {
    String root = fs.createDirectory().get();
    String sub = fs.createDirectory().get();
    String file = write(31, 70_000);
    Instant now = Instant.now();
    NodeMetadata f = NodeMetadata.of(EntryKind.FILE, 70_000, 0644, now, now);
    NodeMetadata d = NodeMetadata.of(EntryKind.DIRECTORY, 0, 0755, now, now);
    fs.applyChanges(sub, List.of(new EntryChange.Put("deep", Optional.of(file), f))).get();
    fs.applyChanges(root, List.of(new EntryChange.Put("sub", Optional.of(sub), d),
        new EntryChange.Put("top", Optional.of(file), f))).get();

    String readCap = Cap.parse(root).readOnly().toString();
    assertThat(Cap.parse(readCap).isWritable()).isFalse();
    List<RemoteEntry> top = fs.list(readCap).get();
    assertThat(top).extracting(RemoteEntry::name).containsExactly("sub", "top");
    String subCap = top.get(0).cap().orElseThrow();
    for (RemoteEntry e : top) {
      assertThat(Cap.parse(e.cap().orElseThrow()).isWritable()).as(e.name()).isFalse();
    }
    List<RemoteEntry> below = fs.list(subCap).get();
    assertThat(below).extracting(RemoteEntry::name).containsExactly("deep");
    assertThat(fs.read(below.get(0).cap().orElseThrow(), 0, 70_000).get())
        .isEqualTo(expected(31, 0, 70_000));

    for (String dir : List.of(readCap, subCap)) {
      assertThatThrownBy(() -> fs.applyChanges(dir, List.of(new EntryChange.Put("x",
          Optional.of(file), f))).get()).isInstanceOf(ExecutionException.class)
          .satisfies(e -> assertThat(String.valueOf(e.getCause().getMessage()))
              .doesNotContain(root).doesNotContain(sub));
    }
    assertThat(fs.list(root).get()).extracting(RemoteEntry::name).containsExactly("sub", "top");
  }
}
