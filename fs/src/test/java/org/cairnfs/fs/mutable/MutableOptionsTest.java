package org.cairnfs.fs.mutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.mutable.MutableParams;
import org.cairnfs.caps.mutable.VersionId;
import org.junit.jupiter.api.Test;

/** The options' bounds and derivation, and the value types of this package. */
class MutableOptionsTest {
  static final MutableParams P = new MutableParams(3, 10, 30);

  @Test
  void happyMayBeKOrNButNothingOutside() {
    assertThat(new MutableOptions(P, 3, 100, 1).happy()).isEqualTo(3);
    assertThat(new MutableOptions(P, 10, 100, 1).happy()).isEqualTo(10);
    assertThatThrownBy(() -> new MutableOptions(P, 2, 100, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 2");
    assertThatThrownBy(() -> new MutableOptions(P, 11, 100, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 11");
  }

  @Test
  void maxSizeAndAttemptsHaveTheirBounds() {
    long largest = Integer.MAX_VALUE - 8;
    assertThat(new MutableOptions(P, 7, 1, 1).maxSize()).isEqualTo(1);
    assertThat(new MutableOptions(P, 7, largest, 1).maxSize()).isEqualTo(largest);
    assertThatThrownBy(() -> new MutableOptions(P, 7, 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max size");
    assertThatThrownBy(() -> new MutableOptions(P, 7, largest + 1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max size");
    assertThat(new MutableOptions(P, 7, 100, 1).maxAttempts()).isEqualTo(1);
    assertThatThrownBy(() -> new MutableOptions(P, 7, 100, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max attempts");
  }

  @Test
  void fromTheGridRoundsTheSegmentDownToAMultipleOfKAndKeepsTheDefaults() {
    MutableOptions o = MutableOptions.from(EncodingParams.builder().k(3).happy(7).n(10)
        .segmentSize(4097).build());
    assertThat(o.params()).isEqualTo(new MutableParams(3, 10, 4095));
    assertThat(o.happy()).isEqualTo(7);
    assertThat(o.maxSize()).isEqualTo(MutableOptions.DEFAULT_MAX_SIZE).isEqualTo(16 << 20);
    assertThat(o.maxAttempts()).isEqualTo(MutableOptions.DEFAULT_MAX_ATTEMPTS).isEqualTo(10);
    // a segment smaller than k becomes k
    assertThat(MutableOptions.from(EncodingParams.builder().k(3).happy(3).n(3).segmentSize(2)
        .build()).params().segmentSize()).isEqualTo(3);
  }

  @Test
  void withersChangeOneField() {
    MutableOptions o = new MutableOptions(P, 7, 100, 5);
    assertThat(o.withMaxAttempts(2)).isEqualTo(new MutableOptions(P, 7, 100, 2));
    assertThat(o.withMaxSize(50)).isEqualTo(new MutableOptions(P, 7, 50, 5));
  }

  @Test
  void aVersionIsAValueOverItsOwnCopyOfTheContents() {
    byte[] bytes = {1, 2, 3};
    VersionId id = new VersionId(4, new byte[32]);
    MutableVersion v = new MutableVersion(bytes, id);
    bytes[0] = 9;
    assertThat(v.contents()).containsExactly(1, 2, 3);
    v.contents()[1] = 9;
    assertThat(v.contents()).containsExactly(1, 2, 3);
    assertThat(v.seqnum()).isEqualTo(4);
    assertThat(v.version()).isEqualTo(id);
    assertThat(v).isEqualTo(new MutableVersion(new byte[] {1, 2, 3}, id))
        .hasSameHashCodeAs(new MutableVersion(new byte[] {1, 2, 3}, id))
        .isNotEqualTo(new MutableVersion(new byte[] {1, 2, 4}, id))
        .isNotEqualTo(new MutableVersion(new byte[] {1, 2, 3}, new VersionId(5, new byte[32])))
        .isNotEqualTo("not a version");
    assertThat(v.hashCode()).isEqualTo(id.hashCode());
    assertThat(v.toString()).contains(id.toString(), "3 bytes");
  }

  @Test
  void theExceptionsNameTheirFile() {
    var index = org.cairnfs.caps.StorageIndex.of(new byte[16]);
    SlotUnreadableException plain = new SlotUnreadableException(index, "why");
    assertThat(plain.index()).isEqualTo(index);
    assertThat(plain.noShareFound()).isFalse();
    assertThat(plain).hasMessage("mutable file " + index + ": why");
    assertThat(new SlotUnreadableException(index, "none", true).noShareFound()).isTrue();
    UncoordinatedWriteException u = new UncoordinatedWriteException(index, 7);
    assertThat(u.index()).isEqualTo(index);
    assertThat(u).hasMessageContaining("each of 7 attempts");
  }
}
