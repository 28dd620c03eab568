package org.cairnfs.caps.immutable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSource;

/** Test fixture: a file encoded into in-memory shares. */
record Shares(ImmutableReadCap cap, byte[] plaintext, byte[][] shares) {
  static final byte[] SECRET = "test convergence secret".getBytes();

  static byte[] random(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  static EncodingParams params(int k, int n, int segmentSize) {
    return EncodingParams.builder().k(k).happy(k).n(n).segmentSize(segmentSize).build();
  }

  static Shares encode(EncodingParams params, byte[] plaintext) throws IOException {
    ByteArrayShare[] out = new ByteArrayShare[params.n()];
    Cap cap = ImmutableEncoder.convergent(params, SECRET)
        .encode(PlaintextSource.of(plaintext), (i, length) -> out[i] = new ByteArrayShare(length));
    byte[][] bytes = new byte[params.n()][];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = out[i].bytes();
    }
    return new Shares((ImmutableReadCap) cap, plaintext, bytes);
  }

  /** {@link #encode} for tests that do not declare IOException. */
  static Shares encode0(EncodingParams params, byte[] plaintext) {
    try {
      return encode(params, plaintext);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  Map<Integer, ShareSource> sources(int... numbers) {
    Map<Integer, ShareSource> map = new TreeMap<>();
    for (int i : numbers) {
      map.put(i, ByteArrayShare.wrap(shares[i]));
    }
    return map;
  }

  Map<Integer, ShareSource> all() {
    Map<Integer, ShareSource> map = new TreeMap<>();
    for (int i = 0; i < shares.length; i++) {
      map.put(i, ByteArrayShare.wrap(shares[i]));
    }
    return map;
  }

  static byte[] decode(ImmutableReadCap cap, Map<Integer, ShareSource> sources)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImmutableDecoder.of(cap, sources).decode(out);
    return out.toByteArray();
  }
}
