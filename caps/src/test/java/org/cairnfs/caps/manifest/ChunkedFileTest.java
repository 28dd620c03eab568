package org.cairnfs.caps.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.ImmutableDecoder;
import org.cairnfs.caps.immutable.ImmutableEncoder;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSource;
import org.junit.jupiter.api.Test;

/**
 * A whole chunked file in memory with real chunks: each chunk encrypted and erasure-coded by
 * the immutable encoder, the manifest over them, read back by range through the manifest.
 */
class ChunkedFileTest {
  private static final int C = 4096;
  private static final EncodingParams CHUNK_PARAMS =
      EncodingParams.builder().k(3).happy(7).n(10).segmentSize(1024).build();
  private final MemoryNodeStore nodes = new MemoryNodeStore();
  private final Map<StorageIndex, byte[][]> chunkShares = new HashMap<>();

  private Cap put(byte[] file, byte[] secret, NodeKeyPolicy policy) throws IOException {
    ImmutableEncoder encoder = ImmutableEncoder.convergent(CHUNK_PARAMS, secret);
    ManifestBuilder b = new ManifestBuilder(C, nodes, policy);
    for (int off = 0; off < file.length; off += C) {
      byte[] chunk = Arrays.copyOfRange(file, off, Math.min(file.length, off + C));
      if (isZero(chunk)) {
        b.add(new ChunkRef.Hole(chunk.length));
        continue;
      }
      ByteArrayShare[] out = new ByteArrayShare[CHUNK_PARAMS.n()];
      Cap cap = encoder.encode(PlaintextSource.of(chunk),
          (i, length) -> out[i] = new ByteArrayShare(length));
      if (cap instanceof ImmutableReadCap c) {
        byte[][] shares = new byte[out.length][];
        for (int i = 0; i < out.length; i++) {
          shares[i] = out[i].bytes();
        }
        chunkShares.put(c.index(), shares);
      }
      b.add(ChunkRef.of(cap));
    }
    return b.finish();
  }

  private byte[] read(Cap file, long offset, long length) throws IOException {
    ChunkedReadCap cap = (ChunkedReadCap) file;
    ChunkRange range = ManifestGeometry.of(cap).touching(offset, length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ManifestWalk.chunks(cap, nodes, range.first(), range.end(), (i, chunk) -> {
      byte[] data = chunkBytes(chunk);
      ChunkRange.Slice s = range.slice(i);
      out.write(data, (int) s.offsetInChunk(), s.length());
    });
    return out.toByteArray();
  }

  private byte[] chunkBytes(ChunkRef chunk) throws IOException {
    if (chunk instanceof ChunkRef.Hole h) {
      return new byte[(int) h.length()];
    } else if (chunk instanceof ChunkRef.Literal l) {
      return l.cap().data();
    }
    ImmutableReadCap cap = ((ChunkRef.Stored) chunk).cap();
    Map<Integer, ShareSource> sources = new TreeMap<>();
    byte[][] shares = chunkShares.get(cap.index());
    for (int i = 0; i < shares.length; i++) {
      sources.put(i, ByteArrayShare.wrap(shares[i]));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImmutableDecoder.of(cap, sources).decode(out);
    return out.toByteArray();
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static byte[] sample() {
    byte[] file = new byte[C * 9 + 30];
    new Random(7).nextBytes(file);
    Arrays.fill(file, 2 * C, 4 * C, (byte) 0); // two hole chunks
    System.arraycopy(file, 0, file, 6 * C, C); // chunk 6 repeats chunk 0
    return file;
  }

  @Test
  void rangesReadBackThroughTheManifest() throws IOException {
    byte[] file = sample();
    Cap cap = put(file, "secret".getBytes(), NodeKeyPolicy.convergent("secret".getBytes()));
    assertThat(read(cap, 0, file.length)).isEqualTo(file);
    assertThat(read(cap, C - 3, 10)).isEqualTo(Arrays.copyOfRange(file, C - 3, C + 7));
    assertThat(read(cap, 9L * C + 1, 100)).isEqualTo(Arrays.copyOfRange(file, 9 * C + 1,
        file.length));
    assertThat(read(cap, 2L * C + 5, 2 * C - 5)).hasSize(2 * C - 5).containsOnly(0);
  }

  @Test
  void sameChunksSameNodeSameCap() throws IOException {
    byte[] file = sample();
    byte[] secret = "secret".getBytes();
    Cap a = put(file, secret, NodeKeyPolicy.convergent(secret));
    int stored = chunkShares.size();
    assertThat(stored).as("chunk 6 repeats chunk 0: stored once").isEqualTo(6);
    Cap b = put(file, secret, NodeKeyPolicy.convergent(secret));
    assertThat(b).isEqualTo(a);
    assertThat(chunkShares).hasSize(stored);
    Cap other = put(file, "other".getBytes(), NodeKeyPolicy.convergent("other".getBytes()));
    assertThat(other).isNotEqualTo(a);
    Cap random = put(file, secret, NodeKeyPolicy.random(new SecureRandom()));
    assertThat(((ChunkedReadCap) random).readKey())
        .isNotEqualTo(((ChunkedReadCap) a).readKey());
    assertThat(read(random, 0, file.length)).isEqualTo(file);
  }

  @Test
  void aFileOfOneChunkIsAPlainImmutableFile() throws IOException {
    byte[] small = new byte[C];
    new Random(1).nextBytes(small);
    Cap cap = put(small, new byte[0], NodeKeyPolicy.convergent(new byte[0]));
    assertThat(cap).isInstanceOf(ImmutableReadCap.class);
    assertThat(put(new byte[] {1, 2, 3}, new byte[0], NodeKeyPolicy.convergent(new byte[0])))
        .isEqualTo(new LiteralCap(new byte[] {1, 2, 3}));
  }
}
