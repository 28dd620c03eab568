package org.cairnfs.bench.net;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Random;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.identity.TlsEngine;
import org.cairnfs.protocol.server.ProtocolServer;

/**
 * What a short-lived process (a {@code cairn put}, a fresh mount) sees from a TLS engine: time to
 * set up, to connect (TLS 1.3 handshake plus hello), to get the first 1 MiB chunk acknowledged,
 * and upload throughput in the first second and the two seconds after, in a JVM that has run
 * nothing before. Run it once per process; bench/run-network.sh runs it five times per engine
 * and reports medians. Prints one {@code COLD ...} line.
 *
 * <p>Usage: {@code TlsEngineColdStart <openssl|jdk>}
 */
public final class TlsEngineColdStart {
  private static final int WINDOW = 8;

  private TlsEngineColdStart() {}

  public static void main(String[] args) throws Exception {
    long mainAt = ManagementFactory.getRuntimeMXBean().getUptime();
    if (args.length != 1) {
      System.err.println("usage: TlsEngineColdStart <openssl|jdk>");
      System.exit(2);
    }
    long t0 = System.nanoTime(); // setup counts loading the engine (BoringSSL's native library)
    TlsEngine engine = TlsEngine.parse(args[0]);
    if (!engine.isAvailable()) {
      System.out.println("COLD engine=" + engine + " unavailable");
      return;
    }
    byte[] chunk = new byte[ChunkPump.CHUNK];
    new Random(1).nextBytes(chunk);
    ProtocolServer server = LoopbackPair.startServer(engine, chunk);
    long setup = System.nanoTime() - t0;
    try (LoopbackPair pair = LoopbackPair.connect(server, engine)) {
      StorageIndex index = StorageIndex.of(new byte[16]);
      long f0 = System.nanoTime();
      pair.client.writeChunk(index, 0, 0, chunk).get();
      long firstChunk = System.nanoTime() - f0;
      long firstAckUptime = ManagementFactory.getRuntimeMXBean().getUptime();

      ChunkPump pump = new ChunkPump(pair.client, index, 0, WINDOW);
      Thread runner = new Thread(() -> {
        try {
          pump.run(ChunkPump.Direction.WRITE, Long.MAX_VALUE, chunk, false);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, "bench-pump");
      long p0 = System.nanoTime();
      runner.start();
      Thread.sleep(1000);
      long b1 = pump.ackedBytes();
      long p1 = System.nanoTime();
      Thread.sleep(2000);
      long b3 = pump.ackedBytes();
      long p3 = System.nanoTime();
      pump.stop();
      runner.join();
      System.out.printf(Locale.ROOT, "COLD engine=%s jvm_start_ms=%d setup_ms=%.1f handshake_ms=%.1f "
              + "first_chunk_ms=%.1f first_ack_uptime_ms=%d first_s_mbps=%.1f next_2s_mbps=%.1f%n",
          engine, mainAt, setup / 1e6, pair.connectNanos / 1e6, firstChunk / 1e6, firstAckUptime,
          new Rate(b1, p1 - p0, null).mbPerSecond(), new Rate(b3 - b1, p3 - p1, null).mbPerSecond());
    }
  }
}
