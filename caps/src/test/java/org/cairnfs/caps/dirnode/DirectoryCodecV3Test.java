package org.cairnfs.caps.dirnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Format version 3: special kinds, device numbers and xattrs (docs/specs/dirnode.md). */
class DirectoryCodecV3Test {
  private static final HexFormat HEX = HexFormat.of();
  /** U+FFFD sorts after U+1F600 as a Java String (UTF-16) but before it as UTF-8. */
  static final String REPLACEMENT = "user.\ufffd";
  static final String GRIN = "user.\ud83d\ude00";
  /** Linux new_encode_dev(4, 1): /dev/tty1. */
  static final long TTY1 = (4 << 8) | 1;

  static DirectoryEntry special(String name, EntryKind kind, long rdev) {
    return DirectoryEntry.symlink(EntryName.of(name),
        EntryMetadata.special(kind, rdev, 0620, Fixtures.MTIME, Fixtures.CTIME));
  }

  static DirectoryEntry fileWithXattrs(String name, Map<String, byte[]> xattrs) {
    return DirectoryEntry.of(EntryName.of(name), "cairn:x:1", Optional.empty(),
        EntryMetadata.of(EntryKind.FILE, 1234, 0644, Fixtures.MTIME, Fixtures.CTIME)
            .withXattrs(xattrs));
  }

  static DirectoryContents sample() {
    Map<String, byte[]> xattrs = new LinkedHashMap<>();
    xattrs.put(GRIN, "smile".getBytes(StandardCharsets.US_ASCII));
    xattrs.put(REPLACEMENT, new byte[] {0, (byte) 0xff});
    return DirectoryContents.builder()
        .put(special("fifo", EntryKind.FIFO, 0))
        .put(special("tty1", EntryKind.CHAR_DEVICE, TTY1))
        .put(special("sda", EntryKind.BLOCK_DEVICE, 8 << 8))
        .put(special("sock", EntryKind.SOCKET, 0))
        .put(fileWithXattrs("notes.txt", xattrs))
        .put(Fixtures.symlink("link", "notes.txt"))
        .build();
  }

  /** Pins the version-3 layout (length and hash recomputed in Python from the spec). */
  @Test
  void golden() throws Exception {
    byte[] bytes = DirectoryCodec.encode(sample());
    assertThat(bytes[4]).isEqualTo((byte) 3);
    String sha = HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    assertThat(bytes).hasSize(GOLDEN_LENGTH);
    assertThat(sha).isEqualTo(GOLDEN_SHA256);
    assertThat(DirectoryCodec.decode(bytes)).isEqualTo(sample());
  }

  static final int GOLDEN_LENGTH = 373;
  static final String GOLDEN_SHA256 =
      "8b7ce665712846aedf8581fce8a1398fe082cec3537ca1b754814ab95de2c3c1";

  /** The worked example in docs/specs/dirnode.md: one character device. */
  @Test
  void specExample() {
    byte[] bytes = DirectoryCodec.encode(DirectoryContents.builder()
        .put(special("tty1", EntryKind.CHAR_DEVICE, TTY1)).build());
    assertThat(HEX.formatHex(bytes)).isEqualTo("434449520300000001" + "0474747931" + "04"
        + "0000" + "0000" + "0000000000000000" + "0190" + "000000006553f100075bcd15"
        + "000000006553f1013ade68b1" + "0000" + "00000401" + "0000");
  }

  /** Xattrs go out in UTF-8 byte order, which is not String order. */
  @Test
  void xattrsAreInByteOrderNotStringOrder() {
    assertThat(GRIN.compareTo(REPLACEMENT)).isNegative();
    byte[] bytes = DirectoryCodec.encode(sample());
    String latin = new String(bytes, StandardCharsets.ISO_8859_1);
    int replacement = latin.indexOf(new String(REPLACEMENT.getBytes(StandardCharsets.UTF_8),
        StandardCharsets.ISO_8859_1));
    int grin = latin.indexOf(new String(GRIN.getBytes(StandardCharsets.UTF_8),
        StandardCharsets.ISO_8859_1));
    assertThat(replacement).isPositive().isLessThan(grin);
  }

  @Test
  void everyKindRoundTripsFlatAndInALeaf() {
    for (EntryKind kind : EntryKind.values()) {
      DirectoryEntry e = switch (kind) {
        case FILE -> fileWithXattrs("e", Map.of("user.k", new byte[] {1}));
        case DIRECTORY -> DirectoryEntry.of(EntryName.of("e"), "cairn:dir-ro:1",
            Optional.empty(), EntryMetadata.of(kind, 0, 0755, Fixtures.MTIME, Fixtures.CTIME));
        case SYMLINK -> Fixtures.symlink("e", "target");
        default -> special("e", kind, kind.isDevice() ? EntryMetadata.MAX_RDEV : 0);
      };
      DirectoryContents one = DirectoryContents.builder().put(e).build();
      byte[] flat = DirectoryCodec.encode(one);
      assertThat(flat[4]).as("%s", kind).isEqualTo((byte) (e.metadata().needsVersion3() ? 3 : 1));
      assertThat(DirectoryCodec.decode(flat)).isEqualTo(one);
      assertThat(DirectoryRoot.decode(flat)).isEqualTo(new FlatRoot(one));
      byte[] leaf = PageCodec.encodeLeaf(List.of(e));
      assertThat(leaf[4]).as("%s", kind).isEqualTo((byte) (e.metadata().needsVersion3() ? 3 : 2));
      assertThat(PageCodec.decodeLeaf(leaf)).containsExactly(e);
      assertThat(leaf).hasSize((int) PageCodec.leafLength(List.of(e)));
    }
  }

  @Test
  void withoutNewFieldsTheBytesStayVersionOne() {
    DirectoryContents plain = DirectoryContents.builder()
        .put(Fixtures.file("a", "cairn:x:1")).put(Fixtures.symlink("b", "a")).build();
    assertThat(DirectoryCodec.encode(plain)[4]).isEqualTo((byte) 1);
    assertThat(PageCodec.encodeLeaf(plain.entries())[4]).isEqualTo((byte) 2);
  }

  /** A leaf turns version 3 as a whole: its plain entries take 6 bytes more each. */
  @Test
  void leafLengthIsExactForMixedLeaves() {
    DirectoryEntry plain = Fixtures.file("a", "cairn:x:1");
    DirectoryEntry fifo = special("b", EntryKind.FIFO, 0);
    List<DirectoryEntry> mixed = List.of(plain, fifo);
    byte[] leaf = PageCodec.encodeLeaf(mixed);
    assertThat(leaf[4]).isEqualTo((byte) 3);
    assertThat(leaf).hasSize((int) PageCodec.leafLength(mixed));
    assertThat(PageCodec.entryLength(plain, true)).isEqualTo(PageCodec.entryLength(plain) + 6);
    assertThat(PageCodec.entryLength(fifo)).isEqualTo(PageCodec.entryLength(fifo, true));
    assertThat(PageCodec.leafLength(mixed)).isEqualTo(7 + PageCodec.entryLength(plain, true)
        + PageCodec.entryLength(fifo, true));
    assertThatThrownBy(() -> PageCodec.entryLength(fifo, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(PageCodec.decodeLeaf(leaf)).isEqualTo(mixed);
  }

  /** The largest entry there is still fits a page on its own. */
  @Test
  void theLargestEntryFitsAPage() {
    Map<String, byte[]> xattrs = new LinkedHashMap<>();
    int budget = EntryMetadata.MAX_XATTR_BYTES;
    for (int i = 0; i < EntryMetadata.MAX_XATTRS; i++) {
      String name = String.format("user.%05d", i);
      xattrs.put(name, new byte[0]);
      budget -= name.length();
    }
    xattrs.put("user.00000", new byte[budget]); // the rest of the budget as one value
    String name = "n".repeat(EntryName.MAX_BYTES);
    SealedWriteCap sealed = new SealedWriteCap(new byte[SealedWriteCap.MAX_LENGTH]);
    DirectoryEntry big = DirectoryEntry.of(EntryName.of(name),
        "cairn:" + "c".repeat(DirectoryEntry.MAX_CAP_LENGTH - 6), Optional.of(sealed),
        EntryMetadata.of(EntryKind.FILE, 1, 0644, Fixtures.MTIME, Fixtures.CTIME)
            .withXattrs(xattrs));
    assertThat(EntryMetadata.xattrBytes(big.metadata().xattrs()))
        .isEqualTo(EntryMetadata.MAX_XATTR_BYTES);
    byte[] leaf = PageCodec.encodeLeaf(List.of(big));
    assertThat(leaf.length).isLessThanOrEqualTo(PageCodec.MAX_PAGE_BYTES)
        .isEqualTo(7 + 4421 + 6 + 3 * EntryMetadata.MAX_XATTRS + EntryMetadata.MAX_XATTR_BYTES);
    assertThat(PageCodec.decodeLeaf(leaf)).containsExactly(big);
    xattrs.put("user.toomany", new byte[0]);
    assertThatThrownBy(() -> big.metadata().withXattrs(xattrs))
        .hasMessageContaining("at most " + EntryMetadata.MAX_XATTRS);
  }

  // ---- what a decoder refuses ----

  private static void refused(byte[] bytes, String message) {
    assertThatThrownBy(() -> DirectoryCodec.decode(bytes))
        .isInstanceOf(DirectoryFormatException.class).hasMessageContaining(message);
    assertThatThrownBy(() -> DirectoryRoot.decode(bytes))
        .isInstanceOf(DirectoryFormatException.class).hasMessageContaining(message);
  }

  private static byte[] one(DirectoryEntry e) {
    return DirectoryCodec.encode(DirectoryContents.builder().put(e).build());
  }

  @Test
  void specialKindsAreRefusedInVersionsOneAndTwo() {
    for (EntryKind kind : List.of(EntryKind.FIFO, EntryKind.CHAR_DEVICE,
        EntryKind.BLOCK_DEVICE, EntryKind.SOCKET)) {
      byte[] v3 = one(special("p", kind, 0));
      // the same entry without rdev and xattr count, under a version-1 header
      byte[] v1 = Arrays.copyOf(v3, v3.length - 6);
      v1[4] = 1;
      refused(v1, "entry kind " + kind.code() + " (" + kind + ") exists only in format"
          + " version 3");
      byte[] leaf3 = PageCodec.encodeLeaf(List.of(special("p", kind, 0)));
      byte[] leaf2 = Arrays.copyOf(leaf3, leaf3.length - 6);
      leaf2[4] = 2;
      assertThatThrownBy(() -> PageCodec.decodeLeaf(leaf2))
          .hasMessageContaining("exists only in format version 3");
    }
  }

  @Test
  void versionThreeWithoutNeedIsNotCanonical() {
    byte[] v1 = one(Fixtures.file("a", "cairn:x:1"));
    byte[] v3 = Arrays.copyOf(v1, v1.length + 6);
    v3[4] = 3;
    refused(v3, "version 3 but no entry needs it");
    byte[] empty = DirectoryCodec.encode(DirectoryContents.empty());
    empty[4] = 3;
    refused(empty, "version 3 but no entry needs it");
    byte[] leaf2 = PageCodec.encodeLeaf(List.of(Fixtures.file("a", "cairn:x:1")));
    byte[] leaf3 = Arrays.copyOf(leaf2, leaf2.length + 6);
    leaf3[4] = 3;
    assertThatThrownBy(() -> PageCodec.decodeLeaf(leaf3))
        .hasMessageContaining("version 3 but no entry needs it");
  }

  @Test
  void deviceNumbersOnlyOnDevices() {
    byte[] b = one(special("p", EntryKind.FIFO, 0));
    ByteBuffer.wrap(b).putInt(b.length - 6, 7);
    refused(b, "device number 7 on a FIFO");
    byte[] c = one(fileWithXattrs("f", Map.of("user.a", new byte[0])));
    int rdev = c.length - 6 - (1 + 6 + 2);
    ByteBuffer.wrap(c).putInt(rdev, 1);
    refused(c, "device number 1 on a FILE");
  }

  /** An entry of one file with xattrs "user.a" = "1" and "user.b" = "2"; offsets below. */
  private static byte[] twoXattrs() {
    Map<String, byte[]> x = new LinkedHashMap<>();
    x.put("user.a", new byte[] {'1'});
    x.put("user.b", new byte[] {'2'});
    return one(fileWithXattrs("f", x));
  }

  private static final int XATTR_LENGTH = 1 + 6 + 2 + 1;

  @Test
  void xattrNamesStrictlyAscendingByBytes() {
    byte[] ok = twoXattrs();
    int second = ok.length - XATTR_LENGTH;
    byte[] swapped = ok.clone();
    swapped[second + 6] = 'a';
    swapped[second - XATTR_LENGTH + 6] = 'b';
    refused(swapped, "xattr 1: name is not after the one before it in byte order");
    byte[] duplicate = ok.clone();
    duplicate[second + 6] = 'a';
    refused(duplicate, "xattr 1: name is not after");
    // String order would put GRIN first; the bytes must put REPLACEMENT first
    Map<String, byte[]> x = new LinkedHashMap<>();
    x.put(GRIN, new byte[0]);
    x.put(REPLACEMENT, new byte[0]);
    byte[] good = one(fileWithXattrs("f", x));
    byte[] grin = GRIN.getBytes(StandardCharsets.UTF_8);
    byte[] repl = REPLACEMENT.getBytes(StandardCharsets.UTF_8);
    int end = good.length;
    ByteBuffer stringOrder = ByteBuffer.allocate(end).put(good, 0, end - (3 + grin.length)
        - (3 + repl.length));
    stringOrder.put((byte) grin.length).put(grin).putShort((short) 0);
    stringOrder.put((byte) repl.length).put(repl).putShort((short) 0);
    refused(stringOrder.array(), "xattr 1: name is not after");
    assertThat(DirectoryCodec.decode(good).entries().get(0).metadata().xattrs())
        .containsOnlyKeys(GRIN, REPLACEMENT);
  }

  @Test
  void xattrNamesAreValidUtf8WithoutNulAndNotEmpty() {
    byte[] ok = twoXattrs();
    int second = ok.length - XATTR_LENGTH;
    byte[] nul = ok.clone();
    nul[second + 6] = 0;
    nul[second - XATTR_LENGTH + 6] = 0;
    refused(nul, "xattr 0: name contains NUL");
    byte[] bad = ok.clone();
    bad[second + 6] = (byte) 0xff;
    refused(bad, "xattr name is not valid UTF-8");
    byte[] empty = one(fileWithXattrs("f", Map.of("u", new byte[0])));
    byte[] zero = empty.clone();
    zero[zero.length - 4] = 0; // name length of "u"
    refused(zero, "xattr 0: empty name");
  }

  @Test
  void xattrTotalsAndCountsAreBounded() {
    String name = "user.v";
    byte[] full = one(fileWithXattrs("f", Map.of(name,
        new byte[EntryMetadata.MAX_XATTR_BYTES - name.length()])));
    assertThat(DirectoryCodec.decode(full)).isNotNull();
    // one value byte more than the limit, the byte appended
    byte[] over = Arrays.copyOf(full, full.length + 1);
    int valueLength = full.length - (EntryMetadata.MAX_XATTR_BYTES - name.length()) - 2;
    ByteBuffer.wrap(over).putShort(valueLength,
        (short) (EntryMetadata.MAX_XATTR_BYTES - name.length() + 1));
    refused(over, "xattr 0: names and values take more than 32768 bytes");
    byte[] ok = twoXattrs();
    int count = ok.length - 2 * XATTR_LENGTH - 2;
    byte[] many = ok.clone();
    ByteBuffer.wrap(many).putShort(count, (short) (EntryMetadata.MAX_XATTRS + 1));
    refused(many, "1025 xattrs, at most 1024");
    byte[] lying = ok.clone();
    ByteBuffer.wrap(lying).putShort(count, (short) 1000);
    refused(lying, "1000 xattrs cannot fit in 20 bytes");
    byte[] truncated = Arrays.copyOf(ok, ok.length - 1);
    refused(truncated, "xattr value needs 1 bytes");
  }

  /** Version-3 entries are at least 49 bytes, and the count check knows it. */
  @Test
  void countMustFitVersionThreeEntries() {
    byte[] b = one(special("p", EntryKind.FIFO, 0));
    assertThat(b.length).isEqualTo(9 + 49);
    // room for 50 / 43 = 1 version-1 entry but not for 2 of 49 bytes: pad to 9 + 2 * 43
    byte[] padded = Arrays.copyOf(b, 9 + 2 * 43);
    ByteBuffer.wrap(padded).putInt(5, 2);
    refused(padded, "entry count 2 cannot fit in 86 bytes");
    byte[] leaf = PageCodec.encodeLeaf(List.of(special("p", EntryKind.FIFO, 0)));
    byte[] leafPadded = Arrays.copyOf(leaf, 7 + 2 * 43);
    leafPadded[6] = 2;
    assertThatThrownBy(() -> PageCodec.decodeLeaf(leafPadded))
        .hasMessageContaining("entry count 2 cannot fit in 86 bytes");
  }

  @Test
  void everyTruncationAndTrailingByteIsRejected() {
    Fixtures.assertEveryTruncationAndATrailingByteRejected(DirectoryCodec.encode(sample()));
  }

  /** A v3 leaf of the golden entries, pinned beside the flat golden. */
  @Test
  void goldenLeaf() throws Exception {
    byte[] leaf = PageCodec.encodeLeaf(sample().entries());
    byte[] flat = DirectoryCodec.encode(sample());
    assertThat(leaf[4]).isEqualTo((byte) 3);
    // same entries: only the header differs (7 bytes instead of 9)
    assertThat(Arrays.copyOfRange(leaf, 7, leaf.length))
        .isEqualTo(Arrays.copyOfRange(flat, 9, flat.length));
    assertThat(PageCodec.decodeLeaf(leaf)).isEqualTo(sample().entries());
  }
}
