package org.cairnfs.caps.manifest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.ImmutableDecoder;
import org.cairnfs.caps.immutable.ImmutableEncoder;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSource;

/**
 * Node files as real immutable files (encrypted, erasure-coded, hashed) whose shares are kept
 * in memory, counting what is put and fetched.
 */
final class MemoryNodeStore implements NodeStore {
  static final EncodingParams PARAMS =
      EncodingParams.builder().k(2).happy(3).n(3).segmentSize(128 * 1024).build();

  private final EncodingParams params;
  private final Map<StorageIndex, byte[][]> shares = new HashMap<>();
  int puts;
  int gets;
  long bytesPut;

  MemoryNodeStore() {
    this(PARAMS);
  }

  MemoryNodeStore(EncodingParams params) {
    this.params = params;
  }

  @Override
  public EncodingParams params() {
    return params;
  }

  @Override
  public ImmutableReadCap put(byte[] plaintext, byte[] key) throws IOException {
    ByteArrayShare[] out = new ByteArrayShare[params.n()];
    ImmutableReadCap cap = ImmutableEncoder.convergent(params, new byte[0]).encodeUnderKey(
        PlaintextSource.of(plaintext), key, (i, length) -> out[i] = new ByteArrayShare(length));
    byte[][] bytes = new byte[out.length][];
    for (int i = 0; i < out.length; i++) {
      bytes[i] = out[i].bytes();
    }
    shares.put(cap.index(), bytes);
    puts++;
    bytesPut += plaintext.length;
    return cap;
  }

  @Override
  public byte[] get(ImmutableReadCap file) throws IOException {
    byte[][] held = shares.get(file.index());
    if (held == null) {
      throw new IOException("no node stored at " + file.index());
    }
    gets++;
    Map<Integer, ShareSource> sources = new TreeMap<>();
    for (int i = 0; i < held.length; i++) {
      sources.put(i, ByteArrayShare.wrap(held[i]));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImmutableDecoder.of(file, sources).decode(out);
    return out.toByteArray();
  }

  int stored() {
    return shares.size();
  }

  void resetCounts() {
    puts = 0;
    gets = 0;
    bytesPut = 0;
  }
}
