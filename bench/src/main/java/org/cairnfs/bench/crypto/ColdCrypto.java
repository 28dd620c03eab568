package org.cairnfs.bench.crypto;

import java.security.Provider;
import java.util.Locale;

/**
 * What a one-shot CLI command gets from a crypto primitive: in a fresh JVM, the time to load
 * the provider, the first call's latency and the throughput of the first second of calls
 * (first call included). One JVM per measurement, run by {@code bench/run-crypto.sh}:
 * {@code ColdCrypto aes-ctr|sha256|sha256-node|gcm jdk|conscrypt}.
 *
 * <p>Prints one line: {@code primitive provider load-ms first-call-us first-second-MiB/s
 * first-second-calls/s}.
 */
public final class ColdCrypto {
  static final long WINDOW_NANOS = 1_000_000_000L;

  private ColdCrypto() {}

  public static void main(String[] args) throws Exception {
    String primitive = args.length > 0 ? args[0] : "aes-ctr";
    String which = args.length > 1 ? args[1] : "jdk";
    long loadStart = System.nanoTime();
    Provider provider = provider(which);
    CryptoWorkload w = new CryptoWorkload(primitive, provider);
    long start = System.nanoTime();
    double loadMs = (start - loadStart) / 1e6;
    int sink = w.call();
    double firstUs = (System.nanoTime() - start) / 1e3;
    long calls = 1;
    long now;
    while ((now = System.nanoTime()) - start < WINDOW_NANOS) {
      sink += w.call();
      calls++;
    }
    double seconds = (now - start) / 1e9;
    System.out.printf(Locale.ROOT, "%s %s %.1f %.0f %.1f %.0f%s%n", primitive, which, loadMs,
        firstUs, calls * (double) w.bytesPerCall() / 1048576.0 / seconds, calls / seconds,
        sink == Integer.MIN_VALUE ? "!" : "");
  }

  /** The named provider, or null for the JDK's default choice. */
  static Provider provider(String which) {
    return switch (which) {
      case "jdk" -> null;
      case "conscrypt" -> {
        if (!org.conscrypt.Conscrypt.isAvailable()) {
          throw new IllegalStateException("Conscrypt's native library does not load here");
        }
        yield org.conscrypt.Conscrypt.newProvider();
      }
      default -> throw new IllegalArgumentException("jdk or conscrypt, not " + which);
    };
  }
}
