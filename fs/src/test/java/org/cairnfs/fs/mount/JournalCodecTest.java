package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.JournalRecord.DirCreated;
import org.cairnfs.fs.mount.JournalRecord.EntriesPublished;
import org.cairnfs.fs.mount.JournalRecord.FileCommit;
import org.cairnfs.fs.mount.JournalRecord.FileUploaded;
import org.cairnfs.fs.mount.JournalRecord.NameSeq;
import org.cairnfs.fs.mount.JournalRecord.RemoveEntry;
import org.cairnfs.fs.mount.JournalRecord.SetEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalCodecTest {
  static final Instant T = Instant.ofEpochSecond(1_700_000_000L, 123_456_789);

  /** One record of every type, fixed values: the golden journal. */
  static List<JournalRecord> records() {
    NodeMetadata file = NodeMetadata.of(EntryKind.FILE, 5, 0644, T, T);
    NodeMetadata xattr = new NodeMetadata(EntryKind.DIRECTORY, 0, 0755, T, T, Optional.empty(),
        Map.of("user.k", new byte[] {1, 2}));
    return List.of(
        new SetEntry(new DirRef.Cap("cairn:x:1"), "a", new ChildRef.LocalFile(7, 1), file),
        new SetEntry(new DirRef.Local(3), "d", new ChildRef.LocalDir(4), xattr),
        new SetEntry(new DirRef.Local(3), "l", new ChildRef.Symlink(),
            NodeMetadata.symlink("a", 0777, T, T)),
        new SetEntry(new DirRef.Cap("cairn:x:1"), "c", new ChildRef.Cap("cairn:y:2"), file),
        new RemoveEntry(new DirRef.Cap("cairn:x:1"), "old", true),
        new DirCreated(4, "cairn:z:3"),
        new FileCommit(7, 1, Optional.empty(), 0, 5, Long.MAX_VALUE,
            List.of(new PageRun(0, 1)), Optional.of(new byte[] {'h', 'e', 'l', 'l', 'o'})),
        new FileCommit(8, 2, Optional.of("cairn:y:2"), 100, 200_000, 70_000,
            List.of(new PageRun(1, 2)), Optional.empty()),
        new FileUploaded(7, 1, "cairn:w:4", 5),
        new EntriesPublished(new DirRef.Cap("cairn:x:1"), List.of(new NameSeq("a", 1))),
        new SetEntry(new DirRef.Cap("cairn:x:1"), "n", new ChildRef.Cap("cairn:y:2"), file, true),
        new RemoveEntry(new DirRef.Cap("cairn:x:1"), "gone", true, true));
  }

  static byte[] journal(List<JournalRecord> rs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(JournalCodec.header());
    long seq = 1;
    for (JournalRecord r : rs) {
      out.writeBytes(JournalCodec.encode(seq++, r));
    }
    return out.toByteArray();
  }

  @Test
  void golden() throws Exception {
    byte[] j = journal(records());
    assertThat(HexFormat.of().formatHex(j, 0, 8)).isEqualTo("434a4e4c04000000");
    // a RemoveEntry frame, byte by byte, as docs/specs/journal.md shows it
    byte[] remove = JournalCodec.encode(5, records().get(4));
    assertThat(HexFormat.of().formatHex(remove)).isEqualTo(
        "0000001b" + "02" + "0000000000000005" + "01" + "0009" + "636169726e3a783a31"
            + "0003" + "6f6c64" + "01" + "f971d5ac");
    // a fresh SetEntry is type 7 with SetEntry's payload; a fresh RemoveEntry has flag 2
    byte[] create = JournalCodec.encode(11, records().get(10));
    assertThat(create[4]).isEqualTo((byte) 7);
    assertThat(java.util.Arrays.copyOfRange(create, 13, create.length - 4)).isEqualTo(
        java.util.Arrays.copyOfRange(JournalCodec.encode(11, ((SetEntry) records().get(10))
            .withFresh(false)), 13, create.length - 4));
    byte[] gone = JournalCodec.encode(12, records().get(11));
    assertThat(HexFormat.of().formatHex(gone, gone.length - 5, gone.length - 4)).isEqualTo("03");
    assertThat(j.length).isEqualTo(793);
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(j)))
        .isEqualTo(GOLDEN_SHA256);
    JournalCodec.Decoded d = JournalCodec.decode(ByteBuffer.wrap(j));
    assertThat(d.entries()).hasSize(records().size());
    assertThat(d.validLength()).isEqualTo(j.length);
    for (int i = 0; i < records().size(); i++) {
      assertThat(JournalCodec.encode(d.entries().get(i).seq(), d.entries().get(i).record()))
          .isEqualTo(JournalCodec.encode(i + 1, records().get(i)));
    }
  }

  @Test
  void aSpecialNodeCarriesItsDeviceNumberInItsChildRefAndVersion2StillReads() {
    NodeMetadata dev = new NodeMetadata(EntryKind.CHAR_DEVICE, 0, 0600, T, T, Optional.empty(),
        Map.of(), 0x103);
    SetEntry s = new SetEntry(new DirRef.Local(3), "c", new ChildRef.Special(0x103), dev);
    byte[] frame = JournalCodec.encode(1, s);
    // dir ref, name, then child ref 5 with the device number, then the metadata's kind 4
    assertThat(HexFormat.of().formatHex(frame)).contains("0200000000000000030001630500000103"
        + "04");
    byte[] j = journal(List.of(s, new SetEntry(new DirRef.Local(3), "p",
        new ChildRef.Special(0), new NodeMetadata(EntryKind.FIFO, 0, 0644, T, T,
            Optional.empty(), Map.of()))));
    JournalCodec.Decoded d = JournalCodec.decode(ByteBuffer.wrap(j));
    assertThat(d.entries()).hasSize(2);
    SetEntry back = (SetEntry) d.entries().get(0).record();
    assertThat(back.meta().rdev()).isEqualTo(0x103);
    assertThat(back.meta().kind()).isEqualTo(EntryKind.CHAR_DEVICE);
    assertThat(back.child()).isEqualTo(new ChildRef.Special(0x103));
    // a special ref on a kind that is not special ends the valid prefix
    byte[] mismatched = JournalCodec.encode(2, new SetEntry(new DirRef.Local(3), "x",
        new ChildRef.Special(0), NodeMetadata.of(EntryKind.FILE, 0, 0644, T, T)));
    byte[] both = journal(List.of(s));
    byte[] bad = java.util.Arrays.copyOf(both, both.length + mismatched.length);
    System.arraycopy(mismatched, 0, bad, both.length, mismatched.length);
    assertThat(JournalCodec.decode(ByteBuffer.wrap(bad)).entries()).hasSize(1);
    // a version 2 journal (no special nodes) is read as it is
    byte[] v2 = journal(records());
    v2[4] = 2;
    assertThat(JournalCodec.decode(ByteBuffer.wrap(v2)).entries()).hasSize(records().size());
  }

  static final String GOLDEN_SHA256 =
      "0dc369c44a486373b756f21b8c6dd8b8d47170d1a8a352e9cfff9dc593e77425";

  @Test
  void aJournalCutAtEveryByteDecodesToTheWholeFramesBeforeTheCut() {
    byte[] j = journal(records());
    List<Integer> ends = new ArrayList<>();
    JournalCodec.Decoded all = JournalCodec.decode(ByteBuffer.wrap(j));
    int at = JournalCodec.HEADER_BYTES;
    for (JournalCodec.Entry e : all.entries()) {
      at += JournalCodec.encode(e.seq(), e.record()).length;
      ends.add(at);
    }
    for (int cut = 0; cut <= j.length; cut++) {
      JournalCodec.Decoded d = JournalCodec.decode(ByteBuffer.wrap(j, 0, cut).slice());
      int expect = 0;
      for (int e : ends) {
        if (e <= cut) {
          expect++;
        }
      }
      assertThat(d.entries()).as("cut at %d", cut).hasSize(expect);
      assertThat(d.validLength()).isEqualTo(expect == 0
          ? (cut >= JournalCodec.HEADER_BYTES ? JournalCodec.HEADER_BYTES : 0)
          : ends.get(expect - 1));
      PendingState s = new PendingState();
      d.entries().forEach(e -> s.apply(e.seq(), e.record()));
      assertThat(s.changeCount()).isLessThanOrEqualTo(expect);
    }
  }

  @Test
  void aDamagedFrameEndsTheValidPrefix() {
    byte[] j = journal(records());
    int lastStart = j.length - JournalCodec.encode(12, records().get(11)).length;
    for (int i = lastStart; i < j.length; i++) {
      byte[] bad = j.clone();
      bad[i] ^= 0x40;
      JournalCodec.Decoded d = JournalCodec.decode(ByteBuffer.wrap(bad));
      assertThat(d.entries()).as("flip at %d", i).hasSize(records().size() - 1);
    }
    byte[] wrongVersion = j.clone();
    wrongVersion[4] = 5;
    assertThat(JournalCodec.decode(ByteBuffer.wrap(wrongVersion)).headerValid()).isFalse();
  }

  @Test
  void aVersion1JournalReadsItsPageRunsIn64KiBPages() {
    byte[] j = journal(records());
    j[4] = 1; // the same frames under a version 1 header
    JournalCodec.Decoded d = JournalCodec.decode(ByteBuffer.wrap(j));
    assertThat(d.headerValid()).isTrue();
    assertThat(d.entries()).hasSize(records().size());
    FileCommit c = (FileCommit) d.entries().get(7).record();
    assertThat(c.pages()).containsExactly(new PageRun(16, 32));
    assertThat((long) Layer.PAGE * Layer.V1_PAGES_PER_PAGE).isEqualTo(64 * 1024);
    FileCommit inline = (FileCommit) d.entries().get(6).record();
    assertThat(inline.pages()).containsExactly(new PageRun(0, 16));
    assertThat(inline.inline().get()).containsExactly('h', 'e', 'l', 'l', 'o');
  }

  /**
   * A version 1 mount took files up to 128 TiB; a page run of such a file, counted in 4 KiB
   * pages, passes the spool's page range. That frame is whole and valid: dropping it and every
   * later record as a torn tail would lose closes that returned. The mount refuses the journal,
   * naming the file and the size, and leaves it as it was.
   */
  @Test
  void aVersion1JournalWithAFileBeyondThePageRangeIsRefusedNotCut() throws Exception {
    long v1Page = 1L << 27; // x16 = 2^31: one past the last 4 KiB page index
    List<JournalRecord> rs = new ArrayList<>(records());
    rs.add(7, new FileCommit(9, 1, Optional.empty(), 0, (v1Page + 1) * 65_536L,
        Long.MAX_VALUE, List.of(new PageRun(v1Page, 1)), Optional.empty()));
    byte[] j = journal(rs);
    j[4] = 1;
    JournalCodec.Decoded d = JournalCodec.decode(ByteBuffer.wrap(j));
    assertThat(d.refusal()).hasValueSatisfying(m -> assertThat(m)
        .contains("file 9").contains("size " + (v1Page + 1) * 65_536L)
        .contains("up to byte " + (v1Page + 1) * 65_536L)
        .contains(String.valueOf(MountCore.MAX_FILE_SIZE)));
    // a count whose x16 overflows an int is refused too, not cut
    List<JournalRecord> rs2 = new ArrayList<>(records());
    rs2.add(new FileCommit(9, 1, Optional.empty(), 0, 1L << 46, Long.MAX_VALUE,
        List.of(new PageRun(0, 1 << 28)), Optional.empty()));
    byte[] j2 = journal(rs2);
    j2[4] = 1;
    assertThat(JournalCodec.decode(ByteBuffer.wrap(j2)).refusal()).isPresent();
    // a run past the range in a version 2 journal was never written by a mount: damage
    List<JournalRecord> rs3 = new ArrayList<>(records());
    rs3.add(7, new FileCommit(9, 1, Optional.empty(), 0, 1L << 44, Long.MAX_VALUE,
        List.of(new PageRun(Integer.MAX_VALUE - 1L, 5)), Optional.empty()));
    JournalCodec.Decoded d2 = JournalCodec.decode(ByteBuffer.wrap(journal(rs3)));
    assertThat(d2.refusal()).isEmpty();
    assertThat(d2.entries()).hasSize(7);

    Path cache = Files.createDirectories(dir.resolve("v1"));
    Files.write(cache.resolve("journal"), j);
    MemoryGrid grid = MemoryGrid.inMemory();
    String root = grid.newRoot();
    assertThatThrownBy(() -> new CoreFixture(grid, root, cache, b -> { }))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("older Cairn").hasMessageContaining("file 9");
    assertThat(Files.readAllBytes(cache.resolve("journal"))).isEqualTo(j);
  }

  @TempDir
  Path dir;

  @Test
  void aMountReplaysAJournalCutAnywhereToAConsistentPrefix() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String root = grid.newRoot();
    Path cache = dir.resolve("c");
    grid.failWith(GridException.Kind.UNREACHABLE);
    CoreFixture fx = new CoreFixture(grid, root, cache, b -> { });
    List<String> order = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      fx.put("/f" + i, ("content " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      order.add("f" + i);
    }
    fx.core.crash();
    byte[] full = Files.readAllBytes(cache.resolve("journal"));
    Path spool = cache.resolve("spool");
    for (int cut = 0; cut <= full.length; cut += 13) {
      Path c2 = dir.resolve("cut" + cut);
      Files.createDirectories(c2.resolve("spool"));
      Files.write(c2.resolve("journal"), java.util.Arrays.copyOf(full, cut));
      try (var files = Files.list(spool)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.copy(p, c2.resolve("spool").resolve(p.getFileName()));
        }
      }
      MountCore core = MountCore.open(MountConfig.builder(root, c2)
          .coalesceDelay(Duration.ofHours(1)).build(), grid);
      try {
        List<String> names = new ArrayList<>();
        for (DirEntryInfo e : core.readdir("/")) {
          if (!e.name().startsWith(".")) {
            names.add(e.name());
          }
        }
        // a prefix of the creates, each file either empty (data not yet journaled) or whole
        assertThat(order.subList(0, names.size())).as("cut %d", cut).isEqualTo(names);
        for (String n : names) {
          long fh = core.open("/" + n, 0);
          ByteBuffer b = ByteBuffer.allocate(64);
          int len = core.read(fh, b, 0);
          core.release(fh);
          String got = new String(b.array(), 0, Math.max(0, len),
              java.nio.charset.StandardCharsets.UTF_8);
          assertThat(got).as("cut %d file %s", cut, n)
              .isIn("", "content " + n.substring(1));
        }
      } finally {
        core.crash();
      }
    }
    grid.heal();
  }
}
