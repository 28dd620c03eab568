package org.cairnfs.fs.grid;

import java.io.IOException;
import java.util.Map;
import java.util.stream.Collectors;
import org.cairnfs.caps.StorageIndex;

/**
 * An upload (or a mutable publish) could not place its shares on {@code happy} distinct
 * servers. An immutable upload leaves nothing visible (open shares are aborted), so the grid
 * holds no partial file under its name; a mutable publish says what its partial version means.
 *
 * <p>The counts say where the servers went: known (from the grid's membership), connected
 * (answered this client), asked (were asked for space), accepted (took or already held at least
 * one share), full (refused for lack of space or a share too big); {@link #problems()} names
 * each server that failed and why.
 */
public final class HappinessException extends IOException {
  private final transient StorageIndex index;
  private final int happiness;
  private final int happy;
  private final int known;
  private final int connected;
  private final int asked;
  private final int accepted;
  private final int full;
  private final Map<String, String> problems;

  /** For an immutable upload, which leaves nothing visible. */
  public HappinessException(StorageIndex index, int happiness, int happy, int known,
      int connected, int asked, int accepted, int full, Map<String, String> problems) {
    this(index, happiness, happy, known, connected, asked, accepted, full, problems,
        "Nothing was left visible; retry when more servers are reachable, or lower happy.");
  }

  /** With {@code consequence} saying what the failed attempt left behind. */
  public HappinessException(StorageIndex index, int happiness, int happy, int known,
      int connected, int asked, int accepted, int full, Map<String, String> problems,
      String consequence) {
    super("upload of " + index + " failed: its shares could be placed on only " + happiness
        + " distinct servers, " + happy + " needed (happy); servers: " + known + " known, "
        + connected + " connected, " + asked + " asked, " + accepted + " accepted, " + full
        + " full" + describe(problems) + ". " + consequence);
    this.index = index;
    this.happiness = happiness;
    this.happy = happy;
    this.known = known;
    this.connected = connected;
    this.asked = asked;
    this.accepted = accepted;
    this.full = full;
    this.problems = Map.copyOf(problems);
  }

  /** Problems named in the message at most: a grid may announce hundreds of dead servers. */
  static final int PROBLEMS_NAMED = 10;

  private static String describe(Map<String, String> problems) {
    if (problems.isEmpty()) {
      return "";
    }
    String named = problems.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .limit(PROBLEMS_NAMED).map(e -> e.getKey() + ": " + e.getValue())
        .collect(Collectors.joining("; "));
    int more = problems.size() - PROBLEMS_NAMED;
    return "; problems: " + named + (more > 0 ? "; and " + more + " more (cairn status lists"
        + " every server)" : "");
  }

  public StorageIndex index() {
    return index;
  }

  public int happiness() {
    return happiness;
  }

  public int happy() {
    return happy;
  }

  public int known() {
    return known;
  }

  public int connected() {
    return connected;
  }

  public int asked() {
    return asked;
  }

  public int accepted() {
    return accepted;
  }

  public int full() {
    return full;
  }

  /** Server (nickname or short id) to what went wrong with it. */
  public Map<String, String> problems() {
    return problems;
  }
}
