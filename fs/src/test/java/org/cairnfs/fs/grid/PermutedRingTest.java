package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.identity.NodeId;
import org.junit.jupiter.api.Test;

class PermutedRingTest {
  static NodeId id(int b) {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) b);
    return NodeId.of(bytes);
  }

  static StorageIndex si(int seed) {
    byte[] b = new byte[16];
    for (int i = 0; i < 16; i++) {
      b[i] = (byte) (seed + i);
    }
    return StorageIndex.of(b);
  }

  @Test
  void orderIsPinnedByTheTaggedHash() {
    // python3: sorted(ids, key=lambda i: sha256(b"22:cairn-v1-permuted-ring," + si + i))
    assertThat(PermutedRing.order(si(0), List.of(id(1), id(2), id(3), id(4), id(5))))
        .containsExactly(id(2), id(4), id(1), id(3), id(5));
  }

  @Test
  void orderIgnoresInputOrderAndDuplicates() {
    List<NodeId> ids = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      ids.add(id(i));
    }
    List<NodeId> expected = PermutedRing.order(si(3), ids);
    List<NodeId> shuffled = new ArrayList<>(ids);
    shuffled.addAll(ids.subList(0, 5));
    Collections.shuffle(shuffled, new Random(1));
    assertThat(PermutedRing.order(si(3), shuffled)).isEqualTo(expected);
  }

  @Test
  void removingAServerKeepsTheOthersInTheirOrder() {
    List<NodeId> ids = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      ids.add(id(i));
    }
    List<NodeId> full = PermutedRing.order(si(4), ids);
    List<NodeId> fewer = new ArrayList<>(ids);
    fewer.remove(full.get(3));
    List<NodeId> expected = new ArrayList<>(full);
    expected.remove(3);
    assertThat(PermutedRing.order(si(4), fewer)).isEqualTo(expected);
  }

  @Test
  void differentFilesSpreadOverDifferentFirstServers() {
    List<NodeId> ids = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      ids.add(id(i));
    }
    int[] firsts = new int[11];
    for (int f = 0; f < 1000; f++) {
      firsts[PermutedRing.order(si(f * 17), ids).get(0).toBytes()[0]]++;
    }
    for (int i = 1; i <= 10; i++) {
      assertThat(firsts[i]).as("server %d first", i).isBetween(50, 150);
    }
  }
}
