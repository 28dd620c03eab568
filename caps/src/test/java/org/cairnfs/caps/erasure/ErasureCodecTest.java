package org.cairnfs.caps.erasure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ErasureCodecTest {

  static byte[][] encoded(ErasureCodec codec, int length, long seed) {
    Random random = new Random(seed);
    byte[][] blocks = new byte[codec.n()][length];
    for (int i = 0; i < codec.k(); i++) {
      random.nextBytes(blocks[i]);
    }
    codec.encode(blocks, 0, length);
    return blocks;
  }

  static byte[][] copy(byte[][] blocks) {
    byte[][] out = new byte[blocks.length][];
    for (int i = 0; i < blocks.length; i++) {
      out[i] = blocks[i].clone();
    }
    return out;
  }

  @Property(tries = 60)
  void anyKBlocksRebuildTheData(@ForAll @IntRange(min = 1, max = 40) int k,
      @ForAll @IntRange(min = 0, max = 40) int extra, @ForAll long seed) {
    int n = k + extra;
    ErasureCodec codec = ErasureCodec.of(k, n);
    byte[][] blocks = encoded(codec, 33, seed);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(seed));
    boolean[] present = new boolean[n];
    byte[][] damaged = new byte[n][33];
    for (int i : order.subList(0, k)) {
      present[i] = true;
      damaged[i] = blocks[i].clone();
    }
    codec.decode(damaged, present, 0, 33);
    for (int i = 0; i < k; i++) {
      assertThat(damaged[i]).as("data block %d", i).isEqualTo(blocks[i]);
    }
  }

  @Nested
  class Encode {
    @Test
    void dataBlocksAreLeftUnchanged() {
      ErasureCodec codec = ErasureCodec.of(3, 10);
      byte[][] blocks = encoded(codec, 64, 1);
      byte[][] again = copy(blocks);
      codec.encode(again, 0, 64);
      assertThat(again).isDeepEqualTo(blocks);
    }

    @Test
    void parityDependsOnData() {
      ErasureCodec codec = ErasureCodec.of(3, 5);
      byte[][] blocks = encoded(codec, 16, 2);
      byte[][] changed = copy(blocks);
      changed[1][7] ^= 1;
      codec.encode(changed, 0, 16);
      assertThat(changed[3]).isNotEqualTo(blocks[3]);
      assertThat(changed[4]).isNotEqualTo(blocks[4]);
    }

    @Test
    void codesOnlyTheGivenRange() {
      ErasureCodec codec = ErasureCodec.of(2, 4);
      byte[][] blocks = new byte[4][10];
      blocks[0][5] = 9;
      blocks[1][6] = 7;
      codec.encode(blocks, 4, 4);
      assertThat(blocks[2][0]).isZero();
      assertThat(blocks[2][9]).isZero();
      assertThat(blocks[2][4] | blocks[2][5] | blocks[2][6] | blocks[2][7]).isNotZero();
    }

    @Test
    void kEqualsNHasNoParity() {
      ErasureCodec codec = ErasureCodec.of(4, 4);
      byte[][] blocks = encoded(codec, 8, 3);
      assertThat(blocks).hasNumberOfRows(4);
    }
  }

  @Nested
  class Decode {
    @Test
    void largeN() {
      ErasureCodec codec = ErasureCodec.of(20, 256);
      byte[][] blocks = encoded(codec, 50, 4);
      boolean[] present = new boolean[256];
      byte[][] damaged = new byte[256][50];
      for (int i = 236; i < 256; i++) {
        present[i] = true;
        damaged[i] = blocks[i].clone();
      }
      codec.decode(damaged, present, 0, 50);
      for (int i = 0; i < 20; i++) {
        assertThat(damaged[i]).isEqualTo(blocks[i]);
      }
    }

    @Test
    void allDataPresentDoesNoWork() {
      ErasureCodec codec = ErasureCodec.of(3, 10);
      byte[][] blocks = encoded(codec, 16, 5);
      boolean[] present = {true, true, true, false, false, false, false, false, false, false};
      byte[][] given = copy(blocks);
      for (int i = 3; i < 10; i++) {
        given[i] = new byte[16];
      }
      codec.decode(given, present, 0, 16);
      for (int i = 3; i < 10; i++) {
        assertThat(given[i]).as("untouched parity %d", i).containsOnly(0);
      }
    }

    @Test
    void paritiesPastTheKthPresentBlockAreNotComputed() {
      ErasureCodec codec = ErasureCodec.of(3, 10);
      byte[][] blocks = encoded(codec, 16, 7);
      boolean[] present = {false, true, true, true, false, false, false, false, false, false};
      byte[][] given = copy(blocks);
      given[0] = new byte[16];
      for (int i = 4; i < 10; i++) {
        given[i] = new byte[16];
      }
      codec.decode(given, present, 0, 16);
      assertThat(given[0]).isEqualTo(blocks[0]);
      for (int i = 4; i < 10; i++) {
        assertThat(given[i]).as("parity %d, not needed", i).containsOnly(0);
      }
    }

    @Test
    void refusesFewerThanK() {
      ErasureCodec codec = ErasureCodec.of(3, 5);
      byte[][] blocks = encoded(codec, 8, 6);
      boolean[] present = {true, false, false, true, false};
      assertThatThrownBy(() -> codec.decode(blocks, present, 0, 8))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("need 3 blocks")
          .hasMessageContaining("only 2");
    }
  }

  @Nested
  class Validation {
    @Test
    void namesBadParameters() {
      assertThatThrownBy(() -> ErasureCodec.of(0, 3)).hasMessageContaining("got 0");
      assertThatThrownBy(() -> ErasureCodec.of(3, 257)).hasMessageContaining("257");
      assertThatThrownBy(() -> ErasureCodec.of(5, 4)).hasMessageContaining("k (5)");
    }

    @Test
    void namesBadBlocks() {
      ErasureCodec codec = ErasureCodec.of(2, 3);
      assertThatThrownBy(() -> codec.encode(new byte[2][4], 0, 4))
          .hasMessageContaining("expected 3 blocks");
      assertThatThrownBy(() -> codec.encode(new byte[][] {new byte[4], new byte[3], new byte[4]},
          0, 4)).hasMessageContaining("block 1");
      assertThatThrownBy(() -> codec.encode(new byte[][] {new byte[4], null, new byte[4]}, 0, 4))
          .hasMessageContaining("block 1 is null");
    }

    @Test
    void rangesAreCheckedFromTheOffset() {
      ErasureCodec codec = ErasureCodec.of(2, 3);
      byte[][] ten = {new byte[10], new byte[10], new byte[10]};
      assertThatThrownBy(() -> codec.encode(ten, 5, 6))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("fewer than offset 5 + length 6");
      assertThatThrownBy(() -> codec.encode(ten, -1, 4)).hasMessageContaining("bad range");
      assertThatThrownBy(() -> codec.encode(ten, 0, -1)).hasMessageContaining("bad range");
      codec.encode(ten, 10, 0); // an empty range at the very end is fine
      codec.encode(ten, 5, 5);
    }

    @Test
    void decodeChecksItsBlocksAndFlags() {
      ErasureCodec codec = ErasureCodec.of(2, 3);
      boolean[] present = {false, true, true};
      assertThatThrownBy(() -> codec.decode(new byte[2][4], present, 0, 4))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected 3 blocks");
      assertThatThrownBy(() -> codec.decode(new byte[3][4], new boolean[] {true, true, true, true},
          0, 4)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected 3 presence flags, got 4");
    }

    @Test
    void saysWhatCodeItIs() {
      ErasureCodec codec = ErasureCodec.of(3, 10);
      assertThat(codec.k()).isEqualTo(3);
      assertThat(codec.n()).isEqualTo(10);
      assertThat(codec).hasToString("ErasureCodec[3-of-10]");
    }
  }
}
