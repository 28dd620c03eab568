package org.cairnfs.bench.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.crypto.AesCtr;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.ImmutableDecoder;
import org.cairnfs.caps.immutable.ImmutableEncoder;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSource;

/**
 * What a one-shot CLI command sees: MiB processed during the first second of a fresh JVM, for
 * bare AES-CTR, encode (random key, one pass) and decode. Run by {@code bench/run-codec.sh}, one
 * fresh JVM per measurement: {@code ColdStartThroughput aes|encode|decode}.
 */
public final class ColdStartThroughput {
  static final long WINDOW_NANOS = 1_000_000_000L;
  static final int SIZE = 256 << 20;

  private ColdStartThroughput() {}

  public static void main(String[] args) throws Exception {
    String what = args.length > 0 ? args[0] : "encode";
    byte[] data = new byte[SIZE];
    new SplittableRandom(3).nextBytes(data);
    EncodingParams params = EncodingParams.DEFAULTS;
    double mib;
    switch (what) {
      case "aes" -> mib = aes(data);
      case "encode" -> mib = encode(data, params);
      case "decode" -> mib = decode(data, params);
      default -> throw new IllegalArgumentException("aes, encode or decode, not " + what);
    }
    System.out.printf(Locale.ROOT, "%s first-second MiB/s: %.1f%n", what, mib);
  }

  private static double aes(byte[] data) throws Exception {
    Cipher c = AesCtr.at(new byte[32], 0);
    byte[] out = new byte[1 << 20];
    long start = System.nanoTime();
    long done = 0;
    while (System.nanoTime() - start < WINDOW_NANOS) {
      c.update(data, (int) (done % data.length), out.length, out, 0);
      done += out.length;
    }
    return done / 1048576.0 * WINDOW_NANOS / (System.nanoTime() - start);
  }

  /** Counts plaintext consumed by the encoder and stops it after one second. */
  private static double encode(byte[] data, EncodingParams params) throws IOException {
    long start = System.nanoTime();
    long[] consumed = new long[1];
    PlaintextSource src = new PlaintextSource() {
      @Override
      public long size() {
        return data.length;
      }

      @Override
      public InputStream open() {
        return new InputStream() {
          int pos;

          @Override
          public int read() {
            throw new UnsupportedOperationException();
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (System.nanoTime() - start >= WINDOW_NANOS) {
              throw new StopException();
            }
            int n = Math.min(len, data.length - pos);
            if (n <= 0) {
              return -1;
            }
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            consumed[0] += n;
            return n;
          }
        };
      }
    };
    try {
      ImmutableEncoder.randomKey(params, new SecureRandom()).encode(src,
          (i, len) -> ImmutableCodecBenchmark.DiscardingSink.INSTANCE);
    } catch (StopException expected) {
      // the window closed
    }
    return consumed[0] / 1048576.0 * WINDOW_NANOS / Math.max(WINDOW_NANOS, System.nanoTime() - start);
  }

  /** Encodes first (untimed), then decodes for one second from the data shares. */
  private static double decode(byte[] data, EncodingParams params) throws IOException {
    Map<Integer, ByteArrayShare> shares = new HashMap<>();
    byte[] small = java.util.Arrays.copyOf(data, 64 << 20);
    ImmutableReadCap cap = (ImmutableReadCap) ImmutableEncoder.randomKey(params, new SecureRandom())
        .encode(PlaintextSource.of(small), (i, len) -> {
          ByteArrayShare s = new ByteArrayShare(len);
          shares.put(i, s);
          return s;
        });
    Map<Integer, ShareSource> dataShares = new HashMap<>();
    for (int i = 0; i < params.k(); i++) {
      dataShares.put(i, shares.get(i));
    }
    long start = System.nanoTime();
    long[] produced = new long[1];
    OutputStream out = new OutputStream() {
      @Override
      public void write(int b) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void write(byte[] b, int off, int len) {
        if (System.nanoTime() - start >= WINDOW_NANOS) {
          throw new StopException();
        }
        produced[0] += len;
      }
    };
    try {
      while (true) {
        ImmutableDecoder.of(cap, dataShares).decode(out);
      }
    } catch (StopException expected) {
      // the window closed
    }
    return produced[0] / 1048576.0;
  }

  static final class StopException extends RuntimeException {
    StopException() {
      super(null, null, false, false);
    }
  }
}
