package org.cairnfs.caps.dirnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.DirectoryReadCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.caps.share.ByteArrayShare;
import org.junit.jupiter.api.Test;

/** Version-2 layouts: leaf pages, inner pages, paged roots (docs/specs/dirnode.md). */
class PageCodecTest {
  private static final HexFormat HEX = HexFormat.of();

  static ImmutableReadCap cap(int first, long size) {
    byte[] key = new byte[32];
    byte[] ext = new byte[32];
    for (int i = 0; i < 32; i++) {
      key[i] = (byte) (first + i);
      ext[i] = (byte) (first + 0x20 + i);
    }
    return new ImmutableReadCap(key, ext, 3, 10, size);
  }

  static PageRef stored(int first, long size) {
    return new PageRef.Stored(cap(first, size));
  }

  /** The spec's example: leaf "a" (a file) stored, leaf "b" (a symlink to "a") inline. */
  static List<DirectoryEntry> leafA() {
    return List.of(Fixtures.file("a", "cairn:x:1"));
  }

  static List<DirectoryEntry> leafB() {
    return List.of(Fixtures.symlink("b", "a"));
  }

  static ImmutableReadCap encodePage(byte[] page) throws Exception {
    DirectoryReadCap dir = Fixtures.directory(1).readOnly();
    ByteArrayShare[] out = new ByteArrayShare[10];
    Cap c = PageSecret.encoder(dir, EncodingParams.DEFAULTS).encode(PlaintextSource.of(page),
        (i, length) -> out[i] = new ByteArrayShare(length));
    return (ImmutableReadCap) c;
  }

  @Test
  void specExample() throws Exception {
    byte[] a = PageCodec.encodeLeaf(leafA());
    byte[] b = PageCodec.encodeLeaf(leafB());
    assertThat(HEX.formatHex(a)).isEqualTo("43444c50020001" + "0161" + "00"
        + "0009636169726e3a783a31" + "0000" + "00000000000004d2" + "01a4"
        + "000000006553f100075bcd15" + "000000006553f1013ade68b1" + "0000");
    assertThat(HEX.formatHex(b)).isEqualTo("43444c50020001" + "0162" + "02" + "0000" + "0000"
        + "0000000000000001" + "01ff" + "000000006553f100075bcd15"
        + "000000006553f1013ade68b1" + "000161");
    assertThat(b.length).isEqualTo(51);
    ImmutableReadCap stored = encodePage(a);
    assertThat(stored.size()).isEqualTo(59);
    assertThat(stored.key()).isEqualTo(TaggedHash.of(Tag.CONVERGENT_KEY,
        TaggedHash.netstring(PageSecret.of(Fixtures.directory(1).readOnly())),
        ByteBuffer.allocate(8).putShort((short) 3).putShort((short) 10).putInt(128 * 1024)
            .array(), TaggedHash.of(Tag.PLAINTEXT, a)));
    Cap inline = encodePage2(b);
    assertThat(inline).isEqualTo(new LiteralCap(b));
    PagedRoot root = new PagedRoot(1, 2, List.of(PageKey.between(EntryName.of("a"),
        EntryName.of("b"))), List.of(new PageRef.Stored(stored), PageRef.of(inline)));
    byte[] r = root.encode();
    assertThat(HEX.formatHex(r)).isEqualTo("43444952" + "02" + "01" + "00000002" + "0002"
        + "00" + HEX.formatHex(stored.key()) + HEX.formatHex(stored.extensionHash()) + "0209"
        + "0000003b" + "0162" + "0133" + HEX.formatHex(b));
    assertThat(HEX.formatHex(stored.key())).isEqualTo(EXAMPLE_PAGE_KEY);
    assertThat(HEX.formatHex(stored.extensionHash())).isEqualTo(EXAMPLE_PAGE_EXT);
    assertThat(r.length).isEqualTo(12 + 71 + 2 + 2 + 51);
    assertThat(DirectoryRoot.decode(r)).isEqualTo(root);
  }

  static final String EXAMPLE_PAGE_KEY =
      "41d0f26f6f6ee161cb763bb3317338b4d7b0338da4a8493d7f74e5f1315c14b1";
  static final String EXAMPLE_PAGE_EXT =
      "ee1e1e59ca50d6a12df1c80ce013bf90288b0f9ecc10e3930519c6f7edcaf2be";

  static Cap encodePage2(byte[] page) throws Exception {
    DirectoryReadCap dir = Fixtures.directory(1).readOnly();
    return PageSecret.encoder(dir, EncodingParams.DEFAULTS).encode(PlaintextSource.of(page),
        (i, length) -> new ByteArrayShare(length));
  }

  /** Five entries of every shape, a sealed cap with nonce 00 01 .. 0b among them. */
  static List<DirectoryEntry> sampleEntries() {
    ChildWriteCapKey key = ChildWriteCapKey.of(Fixtures.directory(1));
    return DirectoryContents.builder()
        .put(Fixtures.file("readme.md", "cairn:imm:aaaa:bbbb:3:10:1234"))
        .put(Fixtures.writableDir(key, "photos \ud83d\udcf7", "cairn:dir-ro:cccc:dddd",
            "cairn:dir:eeee:ffff", new Fixtures.FixedRandom(0)))
        .put(Fixtures.symlink("latest", "photos \ud83d\udcf7/2024"))
        .put(Fixtures.file("\u65e5\u672c\u8a9e.txt", "cairn:from-the-future:xyz"))
        .put(Fixtures.file("Caf\u00e9", "cairn:lit:mfrgg"))
        .build().entries();
  }

  static InnerPage goldenInner() {
    return new InnerPage(2, List.of(PageKey.of("m".getBytes()), PageKey.of("t\u00e9".getBytes(
        java.nio.charset.StandardCharsets.UTF_8))), List.of(stored(0, 16_000),
        new PageRef.Inline(new LiteralCap(new byte[] {1, 2, 3})), stored(100, 65_536)));
  }

  /** Pins all three layouts: if this fails the format changed (bump the version and spec). */
  @Test
  void golden() throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] leaf = PageCodec.encodeLeaf(sampleEntries());
    byte[] inner = PageCodec.encodeInner(goldenInner());
    byte[] root = new PagedRoot(3, 123_456, goldenInner().separators(),
        goldenInner().children()).encode();
    sha.update(leaf);
    sha.update(inner);
    sha.update(root);
    assertThat(new int[] {leaf.length, inner.length, root.length})
        .containsExactly(GOLDEN_LENGTHS);
    assertThat(HEX.formatHex(sha.digest())).isEqualTo(GOLDEN_SHA256);
    assertThat(PageCodec.decodeInner(inner)).isEqualTo(goldenInner());
    assertThat(PageCodec.decodeLeaf(leaf)).isEqualTo(sampleEntries());
  }

  static final int[] GOLDEN_LENGTHS = {415, 161, 165};
  static final String GOLDEN_SHA256 =
      "f7c6e757dc506c3d95efbef586f2ca318f26272c3f5717de17d55dad4e1cc2cb";

  @Test
  void everyRootVersionDecodesToItsKind() {
    byte[] v1 = DirectoryCodec.encode(DirectoryContents.builder().put(leafA().get(0)).build());
    assertThat(DirectoryRoot.decode(v1)).isEqualTo(new FlatRoot(DirectoryCodec.decode(v1)));
    assertThat(DirectoryRoot.decode(v1).entryCount()).isEqualTo(1);
    DirectoryContents special = DirectoryContents.builder().put(leafA().get(0))
        .put(DirectoryEntry.symlink(EntryName.of("fifo"), EntryMetadata.special(EntryKind.FIFO,
            0, 0600, Fixtures.MTIME, Fixtures.CTIME))).build();
    byte[] v3 = DirectoryCodec.encode(special);
    assertThat(v3[4]).isEqualTo((byte) 3);
    assertThat(DirectoryRoot.decode(v3)).isEqualTo(new FlatRoot(special));
    byte[] bad = v1.clone();
    bad[4] = 4;
    assertThatThrownBy(() -> DirectoryRoot.decode(bad)).isInstanceOf(
        DirectoryFormatException.class).hasMessageContaining("unknown directory version 4");
    assertThatThrownBy(() -> DirectoryRoot.decode(new byte[3]))
        .hasMessageContaining("at least 5 bytes");
    byte[] magic = v1.clone();
    magic[0] = 'X';
    assertThatThrownBy(() -> DirectoryRoot.decode(magic)).hasMessageContaining("bad magic");
  }

  @Test
  void separatorsAreTheShortestPrefixThatStillSplits() {
    assertThat(PageKey.between(EntryName.of("apple"), EntryName.of("banana")))
        .isEqualTo(PageKey.of("b".getBytes()));
    assertThat(PageKey.between(EntryName.of("IMG_2024_0001.jpg"),
        EntryName.of("IMG_2024_0002.jpg"))).isEqualTo(PageKey.of("IMG_2024_0002".getBytes()));
    assertThat(PageKey.between(EntryName.of("ab"), EntryName.of("abc")))
        .isEqualTo(PageKey.of("abc".getBytes()));
    PageKey k = PageKey.between(EntryName.of("x"), EntryName.of("\u00e9"));
    assertThat(k.compareTo(EntryName.of("x"))).isPositive();
    assertThat(k.compareTo(EntryName.of("\u00e9"))).isNotPositive();
    assertThat(k.length()).isEqualTo(1); // half of a UTF-8 sequence: separators are bytes
    assertThatThrownBy(() -> PageKey.between(EntryName.of("b"), EntryName.of("a")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- hostile bytes ----

  private static void leafRefused(byte[] b, String message) {
    assertThatThrownBy(() -> PageCodec.decodeLeaf(b))
        .isInstanceOf(DirectoryFormatException.class).hasMessageContaining(message);
  }

  private static void innerRefused(byte[] b, String message) {
    assertThatThrownBy(() -> PageCodec.decodeInner(b))
        .isInstanceOf(DirectoryFormatException.class).hasMessageContaining(message);
  }

  @Test
  void leafFaultsAreNamed() {
    byte[] good = PageCodec.encodeLeaf(List.of(Fixtures.file("a", "cairn:x:1"),
        Fixtures.file("b", "cairn:x:2")));
    leafRefused(Arrays.copyOf(good, 5), "leaf page header needs 7 bytes");
    byte[] b = good.clone();
    b[2] = 'I';
    leafRefused(b, "not a leaf page: bad magic");
    b = good.clone();
    b[4] = 1;
    leafRefused(b, "unknown leaf page version 1");
    b = good.clone();
    b[6] = 0;
    leafRefused(b, "at least one entry");
    b = good.clone();
    b[6] = 3;
    leafRefused(b, "entry count 3 cannot fit");
    b = good.clone();
    b[6] = 1;
    leafRefused(b, "trailing bytes after the last entry");
    leafRefused(Arrays.copyOf(good, good.length - 1), "entry 1:");
    byte[] swapped = PageCodec.encodeLeaf(List.of(Fixtures.file("a", "cairn:x:1")));
    byte[] two = Arrays.copyOf(swapped, swapped.length + swapped.length - 7);
    System.arraycopy(swapped, 7, two, swapped.length, swapped.length - 7);
    two[6] = 2;
    leafRefused(two, "is not after");
    leafRefused(new byte[PageCodec.MAX_PAGE_BYTES + 1], "exceeds 65536");
    assertThatThrownBy(() -> PageCodec.encodeLeaf(List.of()))
        .hasMessageContaining("1..65535 entries");
  }

  @Test
  void innerFaultsAreNamed() {
    byte[] good = PageCodec.encodeInner(goldenInner());
    innerRefused(Arrays.copyOf(good, 7), "inner page header needs 8 bytes");
    byte[] b = good.clone();
    b[0] = 'X';
    innerRefused(b, "not a inner page: bad magic");
    b = good.clone();
    b[5] = 0;
    innerRefused(b, "inner page level 0 outside 1..15");
    b = good.clone();
    b[5] = 16;
    innerRefused(b, "level 16");
    b = good.clone();
    b[7] = 1;
    innerRefused(b, "needs at least 2 children, got 1");
    b = good.clone();
    b[7] = (byte) 200;
    innerRefused(b, "200 children cannot fit");
    b = good.clone();
    b[8] = 7;
    innerRefused(b, "child 0: unknown page ref kind 7");
    b = good.clone();
    b[8 + 65] = 9; // k = 10
    b[8 + 66] = 1; // n = 2
    innerRefused(b, "child 0: page k (10) exceeds n (2)");
    b = good.clone();
    ByteBuffer.wrap(b).putInt(8 + 67, 55);
    innerRefused(b, "child 0: stored page size 55 outside 56..65536");
    b = good.clone();
    ByteBuffer.wrap(b).putInt(8 + 67, 65_537);
    innerRefused(b, "stored page size 65537");
    b = good.clone();
    b[8 + 71] = 0;
    innerRefused(b, "child 1: separator is empty");
    b = good.clone();
    b[8 + 71 + 2] = 1;
    b[8 + 71 + 3] = 56;
    innerRefused(b, "child 1: inline page of 56 bytes, at most 55");
    // second separator "t\u00e9" replaced by "a", which is not after "m"
    byte[] c = PageCodec.encodeInner(new InnerPage(1, List.of(PageKey.of("m".getBytes()),
        PageKey.of("z".getBytes())), List.of(stored(0, 100), stored(1, 100), stored(2, 100))));
    c[8 + 71 + 2 + 71 + 1] = 'a';
    innerRefused(c, "child 2: separator is not after the one before it");
    innerRefused(Arrays.copyOf(good, good.length + 1), "1 trailing bytes after the last child");
    innerRefused(Arrays.copyOf(good, good.length - 1), "child 2:");
  }

  @Test
  void rootFaultsAreNamed() {
    byte[] good = new PagedRoot(1, 5, List.of(PageKey.of("m".getBytes())),
        List.of(stored(0, 100), stored(1, 100))).encode();
    byte[] b = good.clone();
    b[5] = 0;
    assertThatThrownBy(() -> DirectoryRoot.decode(b))
        .hasMessageContaining("paged root height 0 outside 1..16");
    byte[] c = good.clone();
    c[11] = 1;
    assertThatThrownBy(() -> DirectoryRoot.decode(c))
        .hasMessageContaining("paged root needs at least 2 children, got 1");
    assertThatThrownBy(() -> DirectoryRoot.decode(Arrays.copyOf(good, 11)))
        .hasMessageContaining("paged root header needs 12 bytes");
    assertThatThrownBy(() -> new PagedRoot(1, 5, List.of(), List.of(stored(0, 100))))
        .hasMessageContaining("at least 2 children");
  }
}
