package org.cairnfs.caps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class StorageIndexTest {
  private static final byte[] SIXTEEN = CapSamples.bytes(16, 0);

  @Nested
  class Create {
    @Test
    void ofCopiesItsInput() {
      byte[] bytes = SIXTEEN.clone();
      StorageIndex si = StorageIndex.of(bytes);

      bytes[0] = 99;

      assertThat(si.toBytes()).isEqualTo(SIXTEEN);
    }

    @Test
    void ofRejectsWrongLength() {
      assertThatThrownBy(() -> StorageIndex.of(new byte[15]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("storage index must be 16 bytes, got 15");
    }

    @Test
    void truncatingTakesTheFirstSixteenBytes() {
      assertThat(StorageIndex.truncating(CapSamples.bytes(32, 0))).isEqualTo(
          StorageIndex.of(SIXTEEN));
      assertThatThrownBy(() -> StorageIndex.truncating(new byte[10]))
          .hasMessageContaining("too short");
    }
  }

  @Nested
  class Text {
    @Test
    void isTwentySixBase32CharactersAndParsesBack() {
      StorageIndex si = StorageIndex.of(SIXTEEN);

      assertThat(si.toString()).hasSize(26).isEqualTo(Base32.encode(SIXTEEN));
      assertThat(StorageIndex.parse(si.toString())).isEqualTo(si);
    }

    @Test
    void parseRejectsWrongLengthAndBadCharacters() {
      assertThatThrownBy(() -> StorageIndex.parse("aaaa"))
          .hasMessage("storage index must be 26 base32 characters, got 4");
      assertThatThrownBy(() -> StorageIndex.parse("A" + "a".repeat(25)))
          .hasMessageContaining("bad base32 character 'A'");
    }
  }

  @Nested
  class Order {
    @Test
    void comparesBytesUnsignedAndAgreesWithEquals() {
      byte[] high = SIXTEEN.clone();
      high[0] = (byte) 0xff;
      StorageIndex low = StorageIndex.of(SIXTEEN);

      assertThat(low.compareTo(StorageIndex.of(high))).isNegative();
      assertThat(low.compareTo(StorageIndex.of(SIXTEEN))).isZero();
      assertThat(low).hasSameHashCodeAs(StorageIndex.of(SIXTEEN));
    }
  }
}
