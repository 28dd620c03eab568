package org.cairnfs.caps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.junit.jupiter.api.Test;

/** The chunked-file kinds {@code cf-ro} and {@code cf-v} (docs/specs/caps.md, manifest.md). */
class ChunkedCapTest {
  private static final String KEY = Base32.encode(CapSamples.bytes(32, 1));
  private static final String HASH = Base32.encode(CapSamples.bytes(32, 90));

  @Test
  void readDiminishesToVerifyOffline() {
    ChunkedReadCap read = CapSamples.chunkedRead();
    ChunkedVerifyCap verify = read.verifier();

    assertThat(read.readOnly()).isSameAs(read);
    assertThat(read.verifyCap()).contains(verify);
    assertThat(read.isReadable()).isTrue();
    assertThat(read.isWritable()).isFalse();
    assertThat(read.isDirectory()).isFalse();
    assertThat(verify.isReadable()).isFalse();
    assertThat(verify.manifestKey())
        .isEqualTo(TaggedHash.of(Tag.MANIFEST_KEY, read.readKey()));
    assertThat(verify.manifestKey()).isEqualTo(ChunkedReadCap.manifestKeyOf(read.readKey()));
    assertThat(verify.toString()).doesNotContain(Base32.encode(read.readKey()))
        .startsWith("cairn:cf-v:" + Base32.encode(verify.manifestKey()) + ":");
    assertThat(read.storageIndex()).contains(verify.index());
    assertThat(verify.index().toBytes()).isEqualTo(Arrays.copyOf(
        TaggedHash.of(Tag.IMMUTABLE_STORAGE_INDEX, verify.manifestKey()), 16));
    assertThat(new ImmutableReadCap(verify.manifestKey(), verify.extensionHash(), 3, 10, 1)
        .index()).as("the root node file's storage index").isEqualTo(verify.index());
  }

  @Test
  void stringsHaveTheGrammarsFieldsInOrder() {
    ChunkedReadCap c = new ChunkedReadCap(CapSamples.bytes(32, 1), CapSamples.bytes(32, 90), 3,
        10, 4096, 8212);
    assertThat(c.toString()).isEqualTo("cairn:cf-ro:" + KEY + ":" + HASH + ":3:10:4096:8212");
    assertThat(Cap.parse(c.toString())).isEqualTo(c);
    Cap v = Cap.parse("cairn:cf-v:" + KEY + ":" + HASH + ":1:256:1073741824:1");
    assertThat(v).isInstanceOf(ChunkedVerifyCap.class);
    assertThat(v.toString()).isEqualTo("cairn:cf-v:" + KEY + ":" + HASH + ":1:256:1073741824:1");
  }

  @Test
  void malformedChunkedCapsAreRefusedByName() {
    String base = "cairn:cf-ro:" + KEY + ":" + HASH + ":";
    assertThatThrownBy(() -> Cap.parse(base + "3:10:4095:100"))
        .isInstanceOf(CapFormatException.class)
        .hasMessage("cairn:cf-ro cap: chunk size must be in [4096, 1073741824], got 4095");
    assertThatThrownBy(() -> Cap.parse(base + "3:10:1073741825:100"))
        .hasMessageContaining("chunk size must be in");
    assertThatThrownBy(() -> Cap.parse(base + "3:10:99999999999:100"))
        .hasMessageContaining("chunk size must be in");
    assertThatThrownBy(() -> Cap.parse(base + "3:10:4096:0"))
        .hasMessage("cairn:cf-ro cap: size must be at least 1, got 0");
    assertThatThrownBy(() -> Cap.parse(base + "4:3:4096:1"))
        .hasMessage("cairn:cf-ro cap: k (4) must not exceed n (3)");
    assertThatThrownBy(() -> Cap.parse(base + "3:10:4096"))
        .hasMessageContaining("missing field 'size'");
    assertThatThrownBy(() -> Cap.parse(base + "3:10:4096:1:2"))
        .hasMessageContaining("extra field");
    assertThatThrownBy(() -> Cap.parse("cairn:cf-v:" + KEY.substring(1) + ":" + HASH
        + ":3:10:4096:1")).hasMessageContaining("cairn:cf-v cap: manifest key must be 52");
    assertThatThrownBy(() -> new ChunkedReadCap(new byte[32], new byte[32], 3, 10, 4096, 0))
        .isInstanceOf(CapFormatException.class);
  }

  @Test
  void theReadKindEndsInRoSoOlderVersionsPassItOnAsReadOnly() {
    // A version that does not know cf-ro treats it as an unknown read cap, not a write cap.
    String text = CapSamples.chunkedRead().toString().replace("cairn:cf-ro:", "cairn:cf2-ro:");
    assertThat(((UnknownCap) Cap.parse(text)).readOnly().toString()).isEqualTo(text);
  }
}
