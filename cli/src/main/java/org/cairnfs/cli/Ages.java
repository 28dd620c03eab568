package org.cairnfs.cli;

import java.time.Duration;

/** Durations for people: "45 s", "12 min", "5 h", "2 d 23 h". */
final class Ages {
  private Ages() {}

  static String format(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 120) {
      return s + " s";
    }
    if (s < 2 * 3600) {
      return s / 60 + " min";
    }
    if (s < 2 * 86400) {
      return s / 3600 + " h";
    }
    long hours = s % 86400 / 3600;
    return s / 86400 + " d" + (hours > 0 ? " " + hours + " h" : "");
  }
}
