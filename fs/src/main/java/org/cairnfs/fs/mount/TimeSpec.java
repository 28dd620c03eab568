package org.cairnfs.fs.mount;

import java.time.Instant;

/** One time argument of utimens: a value, UTIME_NOW or UTIME_OMIT. */
public sealed interface TimeSpec {
  TimeSpec NOW = new Now();
  TimeSpec OMIT = new Omit();

  static TimeSpec at(Instant t) {
    return new At(t);
  }

  record At(Instant time) implements TimeSpec {}

  record Now() implements TimeSpec {}

  record Omit() implements TimeSpec {}
}
