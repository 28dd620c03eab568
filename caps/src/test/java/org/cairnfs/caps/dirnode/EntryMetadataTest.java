package org.cairnfs.caps.dirnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * The bounds of entry metadata (version 3: special kinds, device numbers, xattrs), each at its
 * edge, and equality by content. The codec relies on these: it never sees metadata past them.
 */
class EntryMetadataTest {
  static final Instant T = Fixtures.MTIME;
  static final Optional<String> NONE = Optional.empty();

  static EntryMetadata meta(EntryKind kind, long size, int mode, long rdev,
      Map<String, byte[]> xattrs) {
    return new EntryMetadata(kind, size, mode, T, T, NONE, rdev, xattrs);
  }

  static void refused(ThrowingCallable call, String message) {
    assertThatThrownBy(call).isInstanceOf(DirectoryFormatException.class)
        .hasMessageContaining(message);
  }

  @Test
  void everyFieldIsRequired() {
    refused(() -> new EntryMetadata(null, 0, 0, T, T, NONE, 0, Map.of()), "needs kind");
    refused(() -> new EntryMetadata(EntryKind.FILE, 0, 0, null, T, NONE, 0, Map.of()), "needs");
    refused(() -> new EntryMetadata(EntryKind.FILE, 0, 0, T, null, NONE, 0, Map.of()), "needs");
    refused(() -> new EntryMetadata(EntryKind.FILE, 0, 0, T, T, null, 0, Map.of()), "needs");
    refused(() -> new EntryMetadata(EntryKind.FILE, 0, 0, T, T, NONE, 0, null), "needs");
  }

  @Test
  void specialFilesHaveSizeZeroAndOnlyDevicesADeviceNumber() {
    refused(() -> meta(EntryKind.FIFO, 1, 0644, 0, Map.of()), "has size 0");
    assertThat(meta(EntryKind.FILE, 1, 0644, 0, Map.of()).size()).isEqualTo(1);
    assertThat(meta(EntryKind.CHAR_DEVICE, 0, 0600, EntryMetadata.MAX_RDEV, Map.of()).rdev())
        .isEqualTo(0xffff_ffffL);
    refused(() -> meta(EntryKind.BLOCK_DEVICE, 0, 0600, EntryMetadata.MAX_RDEV + 1, Map.of()),
        "device number");
    refused(() -> meta(EntryKind.CHAR_DEVICE, 0, 0600, -1, Map.of()), "device number");
    refused(() -> meta(EntryKind.FIFO, 0, 0600, 1, Map.of()), "device number");
    refused(() -> meta(EntryKind.FILE, 0, 0600, 1, Map.of()), "device number");
    assertThat(meta(EntryKind.SOCKET, 0, 0600, 0, Map.of()).needsVersion3()).isTrue();
    assertThat(EntryMetadata.special(EntryKind.BLOCK_DEVICE, 7, 0600, T, T).rdev()).isEqualTo(7);
    refused(() -> EntryMetadata.special(EntryKind.FILE, 0, 0644, T, T), "not a special file");
    // a null target is refused by the symlink rule, not by a NullPointerException
    refused(() -> EntryMetadata.symlink(null, 0777, T, T), "a symlink needs a target");
  }

  @Test
  void modeIsTwelveBits() {
    assertThat(meta(EntryKind.FILE, 0, 07777, 0, Map.of()).mode()).isEqualTo(07777);
    assertThat(meta(EntryKind.FILE, 0, 0, 0, Map.of()).mode()).isZero();
    refused(() -> meta(EntryKind.FILE, 0, 010000, 0, Map.of()), "mode");
    refused(() -> meta(EntryKind.FILE, 0, -1, 0, Map.of()), "mode");
  }

  @Test
  void xattrsAreBoundedInNumberNameLengthAndBytes() {
    Map<String, byte[]> many = new TreeMap<>();
    for (int i = 0; i < EntryMetadata.MAX_XATTRS; i++) {
      many.put("user." + i, new byte[0]);
    }
    assertThat(meta(EntryKind.FILE, 0, 0644, 0, many).xattrs()).hasSize(1024);
    many.put("user.one-more", new byte[0]);
    refused(() -> meta(EntryKind.FILE, 0, 0644, 0, many), "1025 xattrs");

    assertThat(meta(EntryKind.FILE, 0, 0644, 0, Map.of("n".repeat(255), new byte[0])).xattrs())
        .containsOnlyKeys("n".repeat(255));
    refused(() -> meta(EntryKind.FILE, 0, 0644, 0, Map.of("n".repeat(256), new byte[0])),
        "got 256");
    refused(() -> meta(EntryKind.FILE, 0, 0644, 0, Map.of("", new byte[0])), "got 0");
    refused(() -> meta(EntryKind.FILE, 0, 0644, 0, Map.of("a\0b", new byte[0])), "NUL");
    Map<String, byte[]> nullValue = new HashMap<>();
    nullValue.put("user.x", null);
    refused(() -> meta(EntryKind.FILE, 0, 0644, 0, nullValue), "needs a name and a value");

    // names count their UTF-8 bytes: "user.é" is 7
    byte[] fill = new byte[EntryMetadata.MAX_XATTR_BYTES - 7];
    assertThat(EntryMetadata.xattrBytes(meta(EntryKind.FILE, 0, 0644, 0,
        Map.of("user.\u00e9", fill)).xattrs())).isEqualTo(EntryMetadata.MAX_XATTR_BYTES);
    refused(() -> meta(EntryKind.FILE, 0, 0644, 0, Map.of("user.\u00e9", new byte[fill.length
        + 1])), "more than 32768");
    refused(() -> meta(EntryKind.FILE, 0, 0644, 0, Map.of("user.a", new byte[fill.length],
        "user.b", new byte[2])), "more than 32768");
  }

  @Test
  void xattrsAreCopiedSoTheCallersArrayCannotChangeThem() {
    byte[] v = {1, 2};
    EntryMetadata m = meta(EntryKind.FILE, 0, 0644, 0, Map.of("user.v", v));
    v[0] = 9;
    assertThat(m.xattrs().get("user.v")).containsExactly(1, 2);
    assertThat(m.needsVersion3()).isTrue();
    assertThat(m.withXattrs(Map.of()).needsVersion3()).isFalse();
  }

  @Test
  void equalityIsByContentOfEveryField() {
    EntryMetadata a = meta(EntryKind.CHAR_DEVICE, 0, 0600, 5, Map.of("user.v", new byte[] {1}));
    EntryMetadata b = meta(EntryKind.CHAR_DEVICE, 0, 0600, 5, Map.of("user.v", new byte[] {1}));
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.equals("not metadata")).isFalse();
    List<EntryMetadata> others = List.of(
        meta(EntryKind.BLOCK_DEVICE, 0, 0600, 5, a.xattrs()),
        meta(EntryKind.CHAR_DEVICE, 0, 0640, 5, a.xattrs()),
        meta(EntryKind.CHAR_DEVICE, 0, 0600, 6, a.xattrs()),
        new EntryMetadata(EntryKind.CHAR_DEVICE, 0, 0600, T.plusNanos(1), T, NONE, 5,
            a.xattrs()),
        new EntryMetadata(EntryKind.CHAR_DEVICE, 0, 0600, T, T.plusNanos(1), NONE, 5,
            a.xattrs()),
        meta(EntryKind.CHAR_DEVICE, 0, 0600, 5, Map.of("user.v", new byte[] {2})),
        meta(EntryKind.CHAR_DEVICE, 0, 0600, 5, Map.of("user.w", new byte[] {1})),
        meta(EntryKind.CHAR_DEVICE, 0, 0600, 5, Map.of()),
        meta(EntryKind.CHAR_DEVICE, 0, 0600, 5, Map.of("user.v", new byte[] {1},
            "user.w", new byte[0])));
    for (EntryMetadata o : others) {
      assertThat(a).as("%s", o).isNotEqualTo(o);
      assertThat(o).as("%s", o).isNotEqualTo(a);
      assertThat(a.hashCode()).as("%s", o).isNotEqualTo(o.hashCode());
    }
    assertThat(meta(EntryKind.FILE, 1, 0644, 0, Map.of()))
        .isNotEqualTo(meta(EntryKind.FILE, 2, 0644, 0, Map.of()));
    assertThat(EntryMetadata.symlink("a", 0777, T, T))
        .isNotEqualTo(EntryMetadata.symlink("b", 0777, T, T));
  }

  @Test
  void symlinkTargetsAndNamesRefuseNulEvenFirstAndKeepTheirLengthBounds() {
    refused(() -> EntryMetadata.symlink("", 0777, T, T), "got 0");
    assertThat(EntryMetadata.symlink("t".repeat(4095), 0777, T, T).size()).isEqualTo(4095);
    refused(() -> EntryMetadata.symlink("t".repeat(4096), 0777, T, T), "got 4096");
    refused(() -> EntryMetadata.symlink("\0t", 0777, T, T), "contains NUL");
    refused(() -> meta(EntryKind.FILE, 0, 0644, 0, Map.of("\0a", new byte[0])), "NUL");
  }

  @Test
  void theDecoderRefusesAnXattrNameStartingWithNul() {
    EntryMetadata m = meta(EntryKind.FILE, 0, 0644, 0, Map.of("Qa", new byte[0]));
    byte[] bytes = DirectoryCodec.encode(DirectoryContents.builder().put(DirectoryEntry.of(
        EntryName.of("f"), "cairn:x", Optional.empty(), m)).build());
    int at = -1;
    for (int i = 0; i + 1 < bytes.length; i++) {
      if (bytes[i] == 'Q' && bytes[i + 1] == 'a') {
        at = i;
      }
    }
    bytes[at] = 0;
    refused(() -> DirectoryCodec.decode(bytes), "name contains NUL");
  }

  @Test
  void storedCapsAreBoundedAndMoreThanTheScheme() {
    EntryMetadata file = meta(EntryKind.FILE, 0, 0644, 0, Map.of());
    String longest = "cairn:" + "x".repeat(DirectoryEntry.MAX_CAP_LENGTH - 6);
    assertThat(DirectoryEntry.of(EntryName.of("f"), longest, Optional.empty(), file).readCap())
        .contains(longest);
    refused(() -> DirectoryEntry.of(EntryName.of("f"), longest + "x", Optional.empty(), file),
        "more than 2048");
    refused(() -> DirectoryEntry.of(EntryName.of("f"), "cairn:", Optional.empty(), file),
        "does not look like a cap");
  }

  @Test
  void kindsHaveOneLabelEach() {
    assertThat(EntryKind.CHAR_DEVICE.label()).isEqualTo("char-device");
    assertThat(EntryKind.BLOCK_DEVICE.label()).isEqualTo("block-device");
    assertThat(EntryKind.FILE.label()).isEqualTo("file");
  }

  @Test
  void theCodecRefusesToWriteAVersion3EntryInTheOldLayout() {
    DirectoryEntry fifo = DirectoryEntry.symlink(EntryName.of("p"),
        EntryMetadata.special(EntryKind.FIFO, 0, 0644, T, T));
    assertThatThrownBy(() -> EntryCodec.write(ByteBuffer.allocate(1000), fifo, false))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aDirectoryEntryNeedsItsPartsAndAWriteCapOnlyBesideAReadCap() {
    EntryMetadata file = meta(EntryKind.FILE, 0, 0644, 0, Map.of());
    refused(() -> new DirectoryEntry(null, Optional.of("cairn:x"), Optional.empty(), file),
        "needs name");
    refused(() -> new DirectoryEntry(EntryName.of("f"), Optional.of("cairn:x"), Optional.empty(),
        null), "needs name");
    refused(() -> new DirectoryEntry(EntryName.of("f"), null, Optional.empty(), file),
        "needs name");
    refused(() -> new DirectoryEntry(EntryName.of("f"), Optional.of("cairn:x"), null, file),
        "needs name");
    SealedWriteCap sealed = new SealedWriteCap(new byte[29]);
    refused(() -> new DirectoryEntry(EntryName.of("l"), Optional.empty(), Optional.of(sealed),
        EntryMetadata.symlink("t", 0777, T, T)), "write cap without read cap");
    assertThat(new DirectoryEntry(EntryName.of("f"), Optional.of("cairn:x"),
        Optional.of(sealed), file).hasWriteCap()).isTrue();
    assertThat(new DirectoryEntry(EntryName.of("f"), Optional.of("cairn:x"), Optional.empty(),
        file).hasWriteCap()).isFalse();
  }

  @Test
  void aRootOfAnyVersionOrTooShortToSay() {
    byte[] v1 = DirectoryCodec.encode(DirectoryContents.builder().put(Fixtures.file("a",
        "cairn:x")).build());
    assertThat(DirectoryRoot.decode(v1)).isInstanceOf(FlatRoot.class);
    refused(() -> DirectoryRoot.decode(new byte[4]), "at least 5 bytes, got 4");
    refused(() -> DirectoryRoot.decode(null), "got none");
    byte[] five = {'C', 'D', 'I', 'R', 9};
    assertThatThrownBy(() -> DirectoryRoot.decode(five)).isInstanceOf(
        DirectoryFormatException.class).hasMessageNotContaining("at least 5 bytes");
    assertThatThrownBy(() -> new FlatRoot(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
