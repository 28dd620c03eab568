package org.cairnfs.bench.net;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time used so far by the whole process and by each group of threads (thread name without its
 * numeric suffix, e.g. {@code cairn-io}, {@code cairn-backend}, {@code cairn-client}). On a busy
 * machine, CPU time per MiB is a steadier figure than MB/s, and the groups show which side of a
 * loopback transfer is the bottleneck.
 */
record CpuSnapshot(long processNanos, Map<String, Long> groupNanos, long gcCount, long gcMillis) {

  static CpuSnapshot take() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, Long> groups = new TreeMap<>();
    for (long id : threads.getAllThreadIds()) {
      ThreadInfo info = threads.getThreadInfo(id);
      long cpu = threads.getThreadCpuTime(id);
      if (info != null && cpu > 0) {
        groups.merge(group(info.getThreadName()), cpu, Long::sum);
      }
    }
    long gcCount = 0;
    long gcMillis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcCount += Math.max(0, gc.getCollectionCount());
      gcMillis += Math.max(0, gc.getCollectionTime());
    }
    return new CpuSnapshot(processCpuNanos(), groups, gcCount, gcMillis);
  }

  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /** CPU used between {@code earlier} and this snapshot (threads that ended in between are lost). */
  CpuSnapshot since(CpuSnapshot earlier) {
    Map<String, Long> diff = new TreeMap<>();
    groupNanos.forEach((g, n) -> {
      long d = n - earlier.groupNanos.getOrDefault(g, 0L);
      if (d > 0) {
        diff.put(g, d);
      }
    });
    return new CpuSnapshot(processNanos - earlier.processNanos, diff, gcCount - earlier.gcCount,
        gcMillis - earlier.gcMillis);
  }

  /** "cairn-io 1.23s, cairn-backend 0.40s, ...; GC ..." for groups above 1% of the process total. */
  String describe() {
    StringBuilder sb = new StringBuilder();
    groupNanos.entrySet().stream()
        .filter(e -> e.getValue() * 100 >= processNanos)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> sb.append(sb.length() == 0 ? "" : ", ")
            .append(String.format("%s %.2fs", e.getKey(), e.getValue() / 1e9)));
    return sb.append(String.format("; GC %d collections, %d ms", gcCount, gcMillis)).toString();
  }

  static String group(String threadName) {
    String g = threadName.replaceAll("[-#_ ]?\\d+([-#_ ]\\d+)*$", "");
    return g.isEmpty() ? threadName : g;
  }
}
