package org.cairnfs.caps.erasure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.backblaze.erasure.ReedSolomon;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The table encoder must write exactly the bytes the Backblaze coder writes: shares depend on it. */
class ParityTablesTest {

  @Property(tries = 200)
  void parityIsTheCodersByteForByte(@ForAll @IntRange(min = 1, max = 40) int k,
      @ForAll @IntRange(min = 1, max = ParityTables.MAX_PARITY) int parity,
      @ForAll @IntRange(min = 0, max = 1300) int length,
      @ForAll @IntRange(min = 0, max = 9) int offset, @ForAll long seed) {
    ReedSolomon coder = ReedSolomon.create(k, parity);
    byte[][] expected = randomBlocks(k + parity, offset + length + 5, seed);
    byte[][] actual = new byte[expected.length][];
    for (int i = 0; i < expected.length; i++) {
      actual[i] = expected[i].clone(); // parity arrays start with the same junk
    }
    ErasureCodec.coderEncode(coder, expected, offset, length);
    tables(coder, k, parity).encode(actual, offset, length);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("block %d of %d-of-%d", i, k, k + parity).isEqualTo(expected[i]);
    }
  }

  @Test
  void aWholeSegmentOfTheDefaultCodeMatches() {
    ReedSolomon coder = ReedSolomon.create(3, 7);
    int block = 131072 / 3 + 1; // one block of a 128 KiB segment: many tiles and a partial one
    byte[][] expected = randomBlocks(10, block, 42);
    byte[][] actual = new byte[10][block];
    for (int i = 0; i < 3; i++) {
      actual[i] = expected[i].clone();
    }
    ErasureCodec.coderEncode(coder, expected, 0, block);
    tables(coder, 3, 7).encode(actual, 0, block);
    assertThat(actual).isDeepEqualTo(expected);
  }

  @Test
  void refusesParityThatDoesNotFitALong() {
    assertThatThrownBy(() -> tables(ReedSolomon.create(2, 9), 2, 9))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 9");
  }

  @Test
  void theCodecUsesTheTablesUpToEightParityAndTheCoderBeyond() {
    for (int parity : new int[] {1, 8, 9, 20}) {
      ErasureCodec codec = ErasureCodec.of(4, 4 + parity);
      byte[][] blocks = randomBlocks(4 + parity, 700, parity);
      byte[][] expected = new byte[blocks.length][];
      for (int i = 0; i < blocks.length; i++) {
        expected[i] = blocks[i].clone();
      }
      ErasureCodec.coderEncode(ReedSolomon.create(4, parity), expected, 0, 700);
      codec.encode(blocks, 0, 700);
      assertThat(blocks).as("4-of-%d", 4 + parity).isDeepEqualTo(expected);
    }
  }

  private static ParityTables tables(ReedSolomon coder, int k, int parity) {
    return ParityTables.of(k, parity, unit -> ErasureCodec.coderEncode(coder, unit, 0, 1));
  }

  private static byte[][] randomBlocks(int n, int length, long seed) {
    Random random = new Random(seed);
    byte[][] blocks = new byte[n][length];
    for (byte[] b : blocks) {
      random.nextBytes(b);
    }
    return blocks;
  }
}
