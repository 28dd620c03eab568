package org.cairnfs.fs.health;

import java.util.Objects;

/**
 * What a check found about one share number on one server (or, for a share found nowhere, on
 * no server).
 *
 * @param number the share number
 * @param server who holds it, for people (nickname and short id); {@link #NOWHERE} for a share
 *     number no server holds
 * @param status OK, MISSING or CORRUPT
 * @param reason why it is not OK (empty when OK, or a note such as "rebuilt by repair")
 * @param repaired whether this copy was placed by the repair that made the report
 */
public record ShareReport(int number, String server, Status status, String reason,
    boolean repaired) {
  /** The server of a share that is on no server. */
  public static final String NOWHERE = "(no server)";

  /** The state of one copy of a share. */
  public enum Status {
    /** Present, and checked as deep as asked (front only, or every block). */
    OK,
    /** Not found where it should be (no server holds it, or only an older version of it). */
    MISSING,
    /** Present but fails a check: not a share of this file, truncated, a bad block. */
    CORRUPT
  }

  public ShareReport {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(status, "status");
    reason = reason == null ? "" : reason;
  }

  /** One line for people: {@code share 3 on server2 (abcd): corrupt: block 7 ...}. */
  String format() {
    String word = switch (status) {
      case OK -> "ok";
      case MISSING -> "missing";
      case CORRUPT -> "corrupt";
    };
    StringBuilder b = new StringBuilder("share ").append(number).append(' ')
        .append(server.equals(NOWHERE) ? "on no server" : "on " + server).append(": ")
        .append(word);
    if (repaired) {
      b.append(" (placed by repair)");
    }
    if (!reason.isEmpty()) {
      b.append(": ").append(reason);
    }
    return b.toString();
  }
}
