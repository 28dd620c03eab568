package org.cairnfs.bench.files;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * Peak heap of a phase: the JVM's own per-pool peaks, reset at the start of the phase, summed
 * over heap pools. A gauge of what the phase needed live (garbage collected between samples
 * does not count), in MiB; servers in the same JVM count too.
 */
final class HeapWatch {
  private HeapWatch() {}

  static void reset() {
    System.gc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
  }

  /** Sum of heap pool peaks since {@link #reset}, MiB. */
  static double peakMib() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum / (1024.0 * 1024.0);
  }
}
