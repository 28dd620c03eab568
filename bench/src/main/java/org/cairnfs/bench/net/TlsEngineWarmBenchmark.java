package org.cairnfs.bench.net;

import java.util.Locale;
import java.util.Random;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.identity.TlsEngine;

/**
 * Steady-state throughput of one loopback Cairn connection with a given TLS engine: 1 MiB
 * WriteChunks (upload) and 1 MiB ReadRanges (download) against a {@link SinkStorageBackend},
 * 8 requests in flight, after a long warm-up so the JIT has compiled the JDK's AES-GCM.
 *
 * <p>Run one engine per JVM (bench/run-network.sh does), so one engine's warm-up does not
 * favour the other. Prints one {@code WARM ...} line per direction for the script to tabulate.
 *
 * <p>Usage: {@code TlsEngineWarmBenchmark <openssl|jdk> [warmupSeconds=16] [measureSeconds=8]}
 */
public final class TlsEngineWarmBenchmark {
  private static final int WINDOW = 8;

  private TlsEngineWarmBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: TlsEngineWarmBenchmark <openssl|jdk> [warmupSeconds] [measureSeconds]");
      System.exit(2);
    }
    TlsEngine engine = TlsEngine.parse(args[0]);
    double warmup = args.length > 1 ? Double.parseDouble(args[1]) : 16;
    double measure = args.length > 2 ? Double.parseDouble(args[2]) : 8;
    if (!engine.isAvailable()) {
      System.out.println("WARM engine=" + engine + " unavailable");
      return;
    }
    byte[] chunk = new byte[ChunkPump.CHUNK];
    new Random(1).nextBytes(chunk);
    try (LoopbackPair pair = LoopbackPair.connect(LoopbackPair.startServer(engine, chunk), engine)) {
      StorageIndex index = StorageIndex.of(new byte[16]);
      // Warm both directions: each side both encrypts and decrypts.
      for (int round = 0; round < 2; round++) {
        timed(pair, index, chunk, ChunkPump.Direction.WRITE, warmup / 4);
        timed(pair, index, chunk, ChunkPump.Direction.READ, warmup / 4);
      }
      for (ChunkPump.Direction d : ChunkPump.Direction.values()) {
        Rate r = timed(pair, index, chunk, d, measure);
        System.out.printf(Locale.ROOT, "WARM engine=%s direction=%s mbps=%.1f cpu_ms_per_mib=%.2f cpu=[%s]%n",
            engine, d.name().toLowerCase(Locale.ROOT), r.mbPerSecond(), r.cpuMillisPerMiB(),
            r.cpu().describe());
      }
    }
  }

  /** Pumps for {@code seconds} and reports what was acknowledged in that time. */
  static Rate timed(LoopbackPair pair, StorageIndex index, byte[] chunk, ChunkPump.Direction d,
      double seconds) throws Exception {
    ChunkPump pump = new ChunkPump(pair.client, index, 0, WINDOW);
    Thread runner = new Thread(() -> {
      try {
        pump.run(d, Long.MAX_VALUE, chunk, false);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "bench-pump");
    CpuSnapshot cpu0 = CpuSnapshot.take();
    long t0 = System.nanoTime();
    long b0 = pump.ackedBytes();
    runner.start();
    Thread.sleep((long) (seconds * 1000));
    long b1 = pump.ackedBytes();
    long t1 = System.nanoTime();
    CpuSnapshot cpu = CpuSnapshot.take().since(cpu0);
    pump.stop();
    runner.join();
    return new Rate(b1 - b0, t1 - t0, cpu);
  }
}
