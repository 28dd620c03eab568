package org.cairnfs.storage.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The byte ranges of an upload written so far, merged, so that close can tell whether every
 * byte arrived. Adjacent writes merge into one range, so sequential uploads use one entry
 * whatever the share size; the count of separate ranges is capped against hostile patterns.
 *
 * <p>Why 128: every open write may hold the cap (one 1-byte chunk per range), about 72 bytes of
 * heap a range, so 4096 open writes hold 36 MiB at most (at 4096 a range, over a GiB). An honest
 * upload needs about 2 log2(blocks) + 4: blocks, each level of two hash trees, the front.
 */
final class WrittenRanges {
  static final int MAX_RANGES = 128;
  private final TreeMap<Long, Long> ranges = new TreeMap<>();

  /** The parts of [start, end) already written, as [start, end) pairs. */
  List<long[]> overlaps(long start, long end) {
    List<long[]> out = new ArrayList<>();
    Map.Entry<Long, Long> before = ranges.floorEntry(start);
    if (before != null && before.getValue() > start) {
      out.add(new long[] {start, Math.min(end, before.getValue())});
    }
    for (Map.Entry<Long, Long> e : ranges.subMap(start, false, end, false).entrySet()) {
      out.add(new long[] {e.getKey(), Math.min(end, e.getValue())});
    }
    return out;
  }

  /** Whether adding [start, end) would exceed {@link #MAX_RANGES}. */
  boolean wouldOverflow(long start, long end) {
    if (ranges.size() < MAX_RANGES) {
      return false;
    }
    Map.Entry<Long, Long> before = ranges.floorEntry(start);
    boolean touchesBefore = before != null && before.getValue() >= start;
    Map.Entry<Long, Long> after = ranges.ceilingEntry(start);
    boolean touchesAfter = after != null && after.getKey() <= end;
    return !touchesBefore && !touchesAfter;
  }

  void add(long start, long end) {
    if (start >= end) {
      return;
    }
    long newStart = start;
    long newEnd = end;
    Map.Entry<Long, Long> before = ranges.floorEntry(start);
    if (before != null && before.getValue() >= start) {
      newStart = before.getKey();
      newEnd = Math.max(newEnd, before.getValue());
      ranges.remove(before.getKey());
    }
    while (true) {
      Map.Entry<Long, Long> next = ranges.ceilingEntry(newStart);
      if (next == null || next.getKey() > newEnd) {
        break;
      }
      newEnd = Math.max(newEnd, next.getValue());
      ranges.remove(next.getKey());
    }
    ranges.put(newStart, newEnd);
  }

  /** Whether [0, size) is all written. */
  boolean covers(long size) {
    if (size == 0) {
      return true;
    }
    Map.Entry<Long, Long> first = ranges.firstEntry();
    return first != null && first.getKey() == 0 && first.getValue() >= size;
  }

  /** Bytes written so far. */
  long writtenBytes() {
    long total = 0;
    for (Map.Entry<Long, Long> e : ranges.entrySet()) {
      total += e.getValue() - e.getKey();
    }
    return total;
  }
}
