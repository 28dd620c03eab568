package org.cairnfs.caps.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.LiteralCap;
import org.junit.jupiter.api.Test;

/**
 * The manifest node parser's bounds exactly at their edges, beside {@link ManifestCodecTest}'s
 * named faults: the edge is let through and judged by the next rule, one past it is refused by
 * its own rule.
 */
class ManifestCodecEdgesTest {
  private static byte[] example() {
    return ManifestCodecTest.example().plaintext();
  }

  private static void refused(byte[] bytes, String message) {
    assertThatThrownBy(() -> ManifestCodec.decode(bytes))
        .isInstanceOf(ManifestFormatException.class).hasMessageContaining(message);
  }

  @Test
  void theHeaderBoundIsExact() {
    refused(null, "20-byte header, got nothing");
    refused(Arrays.copyOf(example(), 20), "node is 20 bytes");
  }

  @Test
  void theChunkSizeBoundsAreExact() {
    byte[] b = example();
    ByteBuffer.wrap(b).putInt(8, ChunkedReadCap.MAX_CHUNK_SIZE);
    refused(b, "entry count 3, but 8212 bytes at level 0 need 1");
    ByteBuffer.wrap(b).putInt(8, ChunkedReadCap.MAX_CHUNK_SIZE + 1);
    refused(b, "chunk size 1073741825 outside [4096, 1073741824]");
  }

  @Test
  void aNodeMayStandAtTheLargestFilesRootLevel() {
    byte[] b = example();
    b[5] = 5; // the root level of the largest file of 4 KiB chunks
    refused(b, "entry count 3, but 8212 bytes at level 5 need 1");
  }

  /** Chunk 2 of the example is a literal; its length is what the node's covered length leaves. */
  @Test
  void aLiteralMayHold55BytesAndAStoredChunkMustHoldMore() {
    byte[] b = example();
    ByteBuffer.wrap(b).putLong(12, 8192 + LiteralCap.MAX_SIZE);
    assertThat(ManifestCodec.decode(b).position().coveredLength()).isEqualTo(8192 + 55);
    ByteBuffer.wrap(b).putLong(12, 8192 + LiteralCap.MAX_SIZE + 1);
    refused(b, "a literal of 56 bytes");
    // One stored chunk (the example's first entry) covering 55 or 56 bytes.
    byte[] one = Arrays.copyOf(example(), 20 + 83);
    ByteBuffer.wrap(one).putShort(6, (short) 1).putLong(12, LiteralCap.MAX_SIZE);
    refused(one, "a stored chunk of 55 bytes");
    ByteBuffer.wrap(one).putLong(12, LiteralCap.MAX_SIZE + 1);
    assertThat(ManifestCodec.decode(one).position().coveredLength()).isEqualTo(56);
  }

  @Test
  void aNodeOfTheWrongShapeIsNeverEncoded() {
    NodePosition leaf = ManifestCodecTest.EXAMPLE.root();
    assertThatThrownBy(() -> ManifestCodec.encodeInner(leaf, List.of(), ManifestCodecTest.POLICY,
        ManifestCodecTest.PARAMS)).hasMessageContaining("a level-0 node is a leaf");
    NodePosition inner = ManifestGeometry.of(4096, 4096L * 1025).root();
    assertThatThrownBy(() -> ManifestCodec.encodeLeaf(inner, ManifestCodecTest.exampleChunks(),
        ManifestCodecTest.POLICY, ManifestCodecTest.PARAMS))
        .hasMessageContaining("a level-1 node is not a leaf");
  }
}
