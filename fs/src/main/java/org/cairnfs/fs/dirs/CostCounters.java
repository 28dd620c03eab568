package org.cairnfs.fs.dirs;

import java.util.concurrent.atomic.LongAdder;

/** Running totals behind {@link DirectoryCosts}; thread-safe. */
final class CostCounters {
  private final LongAdder pagesWritten = new LongAdder();
  private final LongAdder pageBytes = new LongAdder();
  private final LongAdder shareBytes = new LongAdder();
  private final LongAdder roots = new LongAdder();
  private final LongAdder rootBytes = new LongAdder();
  private final LongAdder fetched = new LongAdder();

  void pageWritten(int bytes, long sent) {
    pagesWritten.increment();
    pageBytes.add(bytes);
    shareBytes.add(sent);
  }

  void rootPublished(int bytes) {
    roots.increment();
    rootBytes.add(bytes);
  }

  void pageFetched() {
    fetched.increment();
  }

  DirectoryCosts snapshot() {
    return new DirectoryCosts(pagesWritten.sum(), pageBytes.sum(), shareBytes.sum(), roots.sum(),
        rootBytes.sum(), fetched.sum());
  }
}
