package org.cairnfs.bench.net;

/** Bytes moved in a time, with the CPU the process spent meanwhile. */
record Rate(long bytes, long nanos, CpuSnapshot cpu) {
  static final double MB = 1_000_000.0;
  static final double MIB = 1 << 20;

  /** Decimal megabytes (10^6) per second, like dd prints. */
  double mbPerSecond() {
    return nanos <= 0 ? 0 : bytes / MB / (nanos / 1e9);
  }

  /** Process CPU milliseconds per MiB moved (all threads, both ends of a loopback transfer). */
  double cpuMillisPerMiB() {
    return cpu == null || bytes == 0 ? Double.NaN : cpu.processNanos() / 1e6 / (bytes / MIB);
  }

  double seconds() {
    return nanos / 1e9;
  }
}
