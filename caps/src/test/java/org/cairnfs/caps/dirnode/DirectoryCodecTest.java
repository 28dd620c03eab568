package org.cairnfs.caps.dirnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DirectoryCodecTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final ChildWriteCapKey key = ChildWriteCapKey.of(Fixtures.directory(1));

  private DirectoryContents sample(SecureRandom random) {
    return DirectoryContents.builder()
        .put(Fixtures.file("readme.md", "cairn:imm:aaaa:bbbb:3:10:1234"))
        .put(Fixtures.writableDir(key, "photos \ud83d\udcf7", "cairn:dir-ro:cccc:dddd",
            "cairn:dir:eeee:ffff", random))
        .put(Fixtures.symlink("latest", "photos \ud83d\udcf7/2024"))
        .put(Fixtures.file("\u65e5\u672c\u8a9e.txt", "cairn:from-the-future:xyz"))
        .put(Fixtures.file("Caf\u00e9", "cairn:lit:mfrgg"))
        .build();
  }

  @Test
  void roundTripsEmpty() {
    byte[] bytes = DirectoryCodec.encode(DirectoryContents.empty());
    assertThat(bytes).hasSize(9);
    assertThat(DirectoryCodec.decode(bytes).size()).isZero();
  }

  @Test
  void roundTripsOneEntry() {
    DirectoryContents one = DirectoryContents.builder()
        .put(Fixtures.file("a", "cairn:imm:x")).build();
    DirectoryContents back = DirectoryCodec.decode(DirectoryCodec.encode(one));
    assertThat(back).isEqualTo(one);
    DirectoryEntry e = back.entries().get(0);
    assertThat(e.metadata().mtime()).isEqualTo(Fixtures.MTIME);
    assertThat(e.metadata().ctime().getNano()).isEqualTo(987_654_321);
    assertThat(e.metadata().mode()).isEqualTo(0644);
  }

  @Test
  void roundTripsUnicodeSymlinksUnknownAndSealedCaps() {
    DirectoryContents dir = sample(RANDOM);
    DirectoryContents back = DirectoryCodec.decode(DirectoryCodec.encode(dir));
    assertThat(back).isEqualTo(dir);
    assertThat(back.entries()).extracting(e -> e.name().text()).containsExactly(
        "Caf\u00e9", "latest", "photos \ud83d\udcf7", "readme.md", "\u65e5\u672c\u8a9e.txt");
    DirectoryEntry link = back.get(EntryName.of("latest")).orElseThrow();
    assertThat(link.metadata().symlinkTarget()).contains("photos \ud83d\udcf7/2024");
    assertThat(link.readCap()).isEmpty();
    assertThat(back.get(EntryName.of("\u65e5\u672c\u8a9e.txt")).orElseThrow().readCap())
        .contains("cairn:from-the-future:xyz");
    DirectoryEntry photos = back.get(EntryName.of("photos \ud83d\udcf7")).orElseThrow();
    assertThat(key.open(photos.name(), photos.writeCap().orElseThrow()))
        .isEqualTo("cairn:dir:eeee:ffff");
  }

  @Test
  void aReadCapHolderSeesReadCapsButNotWriteCaps() {
    byte[] bytes = DirectoryCodec.encode(sample(RANDOM));
    // The plaintext a read-cap holder decrypts never contains the child write cap in clear.
    assertThat(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1))
        .contains("cairn:dir-ro:cccc:dddd").doesNotContain("cairn:dir:eeee:ffff");
  }

  @Test
  void encodingIsDeterministicWhateverTheInsertionOrder() {
    DirectoryContents a = DirectoryContents.builder()
        .put(Fixtures.file("b", "cairn:x:1")).put(Fixtures.file("a", "cairn:x:2")).build();
    DirectoryContents b = DirectoryContents.builder()
        .put(Fixtures.file("a", "cairn:x:2")).put(Fixtures.file("b", "cairn:x:1")).build();
    assertThat(DirectoryCodec.encode(a)).isEqualTo(DirectoryCodec.encode(b));
  }

  /** Pins the layout; if this fails the format changed: bump the version and the spec. */
  @Test
  void golden() throws Exception {
    byte[] bytes = DirectoryCodec.encode(sample(new Fixtures.FixedRandom(0)));
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    assertThat(bytes).hasSize(GOLDEN_LENGTH);
    assertThat(sha).isEqualTo(GOLDEN_SHA256);
  }

  /** The worked example in docs/specs/dirnode.md, byte for byte. */
  @Test
  void specExample() {
    byte[] bytes = DirectoryCodec.encode(DirectoryContents.builder()
        .put(Fixtures.file("a", "cairn:x:1")).build());
    assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("434449520100000001" + "0161" + "00"
        + "0009636169726e3a783a31" + "0000" + "00000000000004d2" + "01a4"
        + "000000006553f100075bcd15" + "000000006553f1013ade68b1" + "0000");
  }

  static final int GOLDEN_LENGTH = 417;
  static final String GOLDEN_SHA256 =
      "e46a84ff0cb1366d025362a3952f1a656aa9d6e4df35e03ef40e3acd31d24080";

  /** Speed is measured in bench/, never here; this pins only that 100k entries round trip. */
  @Test
  void hundredThousandEntriesRoundTrip() {
    DirectoryContents.Builder b = DirectoryContents.builder();
    for (int i = 0; i < 100_000; i++) {
      b.put(Fixtures.file("file-" + i + ".dat", "cairn:imm:" + Integer.toHexString(i)));
    }
    DirectoryContents big = b.build();
    DirectoryContents back = DirectoryCodec.decode(DirectoryCodec.encode(big));
    assertThat(back.size()).isEqualTo(100_000);
    assertThat(back.get(EntryName.of("file-77777.dat"))).isPresent();
  }

  @Test
  void rejectsBadHeader() {
    byte[] ok = DirectoryCodec.encode(DirectoryContents.empty());
    byte[] magic = ok.clone();
    magic[0] = 'X';
    assertThatThrownBy(() -> DirectoryCodec.decode(magic)).hasMessageContaining("magic");
    byte[] version = ok.clone();
    version[4] = 2;
    assertThatThrownBy(() -> DirectoryCodec.decode(version)).hasMessageContaining("version 2");
    byte[] huge = ok.clone();
    ByteBuffer.wrap(huge).putInt(5, 2_000_000);
    assertThatThrownBy(() -> DirectoryCodec.decode(huge)).hasMessageContaining("exceeds");
    byte[] lying = ok.clone();
    ByteBuffer.wrap(lying).putInt(5, 1000);
    assertThatThrownBy(() -> DirectoryCodec.decode(lying)).hasMessageContaining("cannot fit");
  }

  @Test
  void everyTruncationAndTrailingByteIsRejected() {
    Fixtures.assertEveryTruncationAndATrailingByteRejected(DirectoryCodec.encode(sample(RANDOM)));
  }

  @Test
  void rejectsUnsortedAndDuplicateNames() {
    byte[] a = DirectoryCodec.encode(DirectoryContents.builder()
        .put(Fixtures.file("a", "cairn:x:1")).build());
    byte[] b = DirectoryCodec.encode(DirectoryContents.builder()
        .put(Fixtures.file("b", "cairn:x:1")).build());
    byte[] entryA = Arrays.copyOfRange(a, 9, a.length);
    byte[] entryB = Arrays.copyOfRange(b, 9, b.length);
    assertThatThrownBy(() -> DirectoryCodec.decode(twoEntries(a, entryB, entryA)))
        .hasMessageContaining("entry 1").hasMessageContaining("byte order");
    assertThatThrownBy(() -> DirectoryCodec.decode(twoEntries(a, entryA, entryA)))
        .hasMessageContaining("byte order");
    assertThat(DirectoryCodec.decode(twoEntries(a, entryA, entryB)).size()).isEqualTo(2);
  }

  private static byte[] twoEntries(byte[] header, byte[] first, byte[] second) {
    ByteBuffer out = ByteBuffer.allocate(9 + first.length + second.length);
    out.put(header, 0, 5).putInt(2).put(first).put(second);
    return out.array();
  }

  @Test
  void rejectsOutOfRangeFieldsNamingTheEntry() {
    byte[] ok = DirectoryCodec.encode(DirectoryContents.builder()
        .put(Fixtures.file("a", "cairn:x:1")).build());
    // entry: nameLen(1) 'a' kind(1) capLen(2) cap(9) sealedLen(2) size(8) mode(2) ...
    int kind = 9 + 2;
    int mode = kind + 1 + 2 + 9 + 2 + 8;
    int mtimeNanos = mode + 2 + 8;
    byte[] badKind = ok.clone();
    badKind[kind] = 9;
    assertThatThrownBy(() -> DirectoryCodec.decode(badKind))
        .hasMessageContaining("entry 0").hasMessageContaining("kind 9");
    byte[] badMode = ok.clone();
    ByteBuffer.wrap(badMode).putShort(mode, (short) 0x1000);
    assertThatThrownBy(() -> DirectoryCodec.decode(badMode)).hasMessageContaining("mode");
    byte[] badNanos = ok.clone();
    ByteBuffer.wrap(badNanos).putInt(mtimeNanos, 1_000_000_000);
    assertThatThrownBy(() -> DirectoryCodec.decode(badNanos)).hasMessageContaining("mtime");
    byte[] symlinkWithCap = ok.clone();
    symlinkWithCap[kind] = (byte) EntryKind.SYMLINK.code();
    assertThatThrownBy(() -> DirectoryCodec.decode(symlinkWithCap))
        .isInstanceOf(DirectoryFormatException.class);
  }
}
