package org.cairnfs.fs.mount;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/** A run of consecutive spool pages {@code [start, start + count)}. */
record PageRun(long start, int count) {
  PageRun {
    if (start < 0 || count <= 0) {
      throw new IllegalArgumentException("bad page run " + start + "+" + count);
    }
  }

  static List<PageRun> of(BitSet pages) {
    List<PageRun> runs = new ArrayList<>();
    int i = pages.nextSetBit(0);
    while (i >= 0) {
      int end = pages.nextClearBit(i);
      runs.add(new PageRun(i, end - i));
      i = pages.nextSetBit(end);
    }
    return runs;
  }

  static BitSet toBits(List<PageRun> runs) {
    BitSet b = new BitSet();
    for (PageRun r : runs) {
      b.set(Math.toIntExact(r.start), Math.toIntExact(r.start + r.count));
    }
    return b;
  }
}
