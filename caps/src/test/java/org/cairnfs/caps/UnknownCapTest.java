package org.cairnfs.caps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UnknownCapTest {
  @ParameterizedTest
  @ValueSource(strings = {"cairn:blob-ro:abc", "cairn:blob-v:abc", "cairn:x.y-v", "cairn:q-ro:"})
  void readOrVerifyKindsPassAsReadOnly(String text) {
    UnknownCap cap = (UnknownCap) Cap.parse(text);

    assertThat(cap.readOnly()).isSameAs(cap);
    assertThat(cap.readOnly().isWritable()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"cairn:blob:abc", "cairn:blob-rw:abc", "cairn:v", "cairn:ro:x",
      "cairn:blob-ro2:abc", "cairn:blob.v:abc"})
  void anyOtherKindRefusesToPassAsReadOnly(String text) {
    UnknownCap cap = (UnknownCap) Cap.parse(text);

    assertThatThrownBy(cap::readOnly)
        .isInstanceOfSatisfying(UnknownCapAuthorityException.class,
            e -> assertThat(e.kind()).isEqualTo(cap.kind()))
        .hasMessageContaining("'cairn:" + cap.kind() + "'")
        .hasMessageContaining("may grant write authority");
  }

  @Test
  void unknownCapIsNeitherReadableNorWritableHere() {
    Cap cap = Cap.parse("cairn:blob:abc");

    assertThat(cap.isReadable()).isFalse();
    assertThat(cap.isWritable()).isFalse();
    assertThat(cap.verifyCap()).isEmpty();
    assertThat(cap.storageIndex()).isEmpty();
  }

  @Test
  void constructorRejectsWhatTheParserRejects() {
    assertThatThrownBy(() -> new UnknownCap("file:blob")).isInstanceOf(CapFormatException.class);
    assertThatThrownBy(() -> new UnknownCap("cairn:BLOB")).isInstanceOf(CapFormatException.class);
    assertThatThrownBy(() -> new UnknownCap("cairn:blob:\n"))
        .isInstanceOf(CapFormatException.class);
    assertThatThrownBy(() -> new UnknownCap("cairn:blob:" + "a".repeat(4090)))
        .isInstanceOf(CapFormatException.class).hasMessageContaining("too long");
  }
}
