package org.cairnfs.bench.files;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The live heap of a phase: the largest heap occupancy right after a garbage collection seen
 * since {@link #reset}, from the JVM's GC notifications (what survived, so what the phase held,
 * not garbage awaiting collection). Servers in the same JVM count too.
 */
final class HeapWatch {
  private static final AtomicLong peak = new AtomicLong();
  private static final Set<String> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName)
      .collect(Collectors.toSet());

  static {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener((notification, handback) -> {
          if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION
              .equals(notification.getType())) {
            return;
          }
          GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo
              .from((CompositeData) notification.getUserData());
          long used = 0;
          for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (HEAP_POOLS.contains(e.getKey())) {
              used += e.getValue().getUsed();
            }
          }
          peak.accumulateAndGet(used, Math::max);
        }, null, null);
      }
    }
  }

  private HeapWatch() {}

  static void reset() {
    System.gc();
    peak.set(0);
  }

  /** The largest heap after a collection since {@link #reset}, MiB (current use if none ran). */
  static double peakMib() {
    long p = peak.get();
    if (p == 0) {
      p = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
    return p / (1024.0 * 1024.0);
  }
}
