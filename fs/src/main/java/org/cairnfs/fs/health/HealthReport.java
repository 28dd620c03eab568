package org.cairnfs.fs.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The health of one object on the grid (an immutable file, a chunked file, a mutable file or a
 * directory), as {@link GridHealth} found it: where every share is, which are missing or
 * corrupt and why, and whether a repair placed new copies.
 *
 * <p>Why this shape: the CLI prints it ({@link #format()}), scripts and the deep check count it
 * ({@link #healthy()}, {@link #recoverable()}), and a chunked file is many immutable files (its
 * chunks and manifest nodes), each reported in {@link #parts()}.
 *
 * <p>Healthy means: every share number 0..n-1 has at least one good copy, the good copies sit
 * on at least {@code happy} servers in the servers-of-happiness sense, and (for chunked files)
 * every part is healthy. A corrupt extra copy of a share that also has a good copy elsewhere is
 * listed but does not make the object unhealthy: servers never overwrite a stored immutable
 * share, so after a repair such copies stay until their leases run out.
 *
 * @param cap the cap checked, as given (a verify cap where only that was given)
 * @param kind what the cap names: "literal", "immutable", "chunked", "mutable", "directory",
 *     "immutable directory", "manifest node", "chunk"
 * @param healthy see above
 * @param recoverable whether at least k distinct good shares were found (for chunked files:
 *     of every part)
 * @param k shares needed to read
 * @param happy servers of happiness wanted
 * @param n shares made
 * @param found distinct share numbers with a good copy
 * @param happiness servers of happiness of the good copies
 * @param shares one entry per copy found, plus one MISSING entry per share number found nowhere
 * @param repaired whether a repair placed new copies (of this object or any part)
 * @param leasesRenewed servers on which this client's lease was added or renewed
 * @param notes what else a person should know (unreachable servers, what a repair left undone,
 *     what this cap cannot check)
 * @param parts for a chunked file, the report of every manifest node and stored chunk
 */
public record HealthReport(String cap, String kind, boolean healthy, boolean recoverable, int k,
    int happy, int n, int found, int happiness, List<ShareReport> shares, boolean repaired,
    int leasesRenewed, List<String> notes, List<HealthReport> parts) {

  public HealthReport {
    Objects.requireNonNull(cap, "cap");
    Objects.requireNonNull(kind, "kind");
    shares = List.copyOf(shares);
    notes = List.copyOf(notes);
    parts = List.copyOf(parts);
  }

  /** A literal: its data is in the cap, nothing is stored, it is always healthy. */
  static HealthReport literal(String cap, String kind) {
    return new HealthReport(cap, kind, true, true, 0, 0, 0, 0, 0, List.of(), false, 0,
        List.of("the data is inside the cap: nothing is stored on servers"), List.of());
  }

  /** The same report under another cap string (a directory's, for its file's report). */
  HealthReport withCap(String other) {
    return new HealthReport(other, kind, healthy, recoverable, k, happy, n, found, happiness,
        shares, repaired, leasesRenewed, notes, parts);
  }

  /**
   * This directory root's report with the reports of its pages: healthy and recoverable only if
   * the root and every page are and every page was reached ({@code walked}: a page that could
   * not be read hides those below it, as a manifest not walked to its end hides chunks).
   */
  HealthReport withPages(List<HealthReport> pages, boolean walked, List<String> allNotes) {
    boolean pagesHealthy = pages.stream().allMatch(HealthReport::healthy);
    boolean pagesRecoverable = pages.stream().allMatch(HealthReport::recoverable);
    int pageLeases = pages.stream().mapToInt(HealthReport::leasesRenewed).sum();
    boolean pagesRepaired = pages.stream().anyMatch(HealthReport::repaired);
    return new HealthReport(cap, kind, healthy && pagesHealthy && walked,
        recoverable && pagesRecoverable && walked, k, happy, n, found, happiness, shares,
        repaired || pagesRepaired, leasesRenewed + pageLeases, allNotes, pages);
  }

  /** Share numbers with a CORRUPT copy. */
  public Set<Integer> corruptShares() {
    return numbers(ShareReport.Status.CORRUPT);
  }

  /** Share numbers with a MISSING entry. */
  public Set<Integer> missingShares() {
    return numbers(ShareReport.Status.MISSING);
  }

  /** Share numbers with a good copy. */
  public Set<Integer> goodShares() {
    return numbers(ShareReport.Status.OK);
  }

  private Set<Integer> numbers(ShareReport.Status status) {
    Set<Integer> out = new TreeSet<>();
    for (ShareReport s : shares) {
      if (s.status() == status) {
        out.add(s.number());
      }
    }
    return out;
  }

  /** Every part, and parts of parts, that is not healthy. */
  public List<HealthReport> unhealthyParts() {
    List<HealthReport> out = new ArrayList<>();
    for (HealthReport p : parts) {
      if (!p.healthy()) {
        out.add(p);
      }
      out.addAll(p.unhealthyParts());
    }
    return out;
  }

  /**
   * The report for people, as {@code cairn check/verify/repair} print it: a summary line with
   * the words "healthy" or "not healthy", then one line per share copy ("ok", "missing",
   * "corrupt" with the reason), the notes, and for a chunked file one line per healthy part and
   * the full report of every unhealthy one.
   */
  public String format() {
    StringBuilder b = new StringBuilder();
    format(b, "");
    return b.toString();
  }

  private void format(StringBuilder b, String indent) {
    b.append(indent).append(kind).append(' ').append(cap).append('\n');
    b.append(indent).append("  ").append(summary()).append('\n');
    for (ShareReport s : shares) {
      b.append(indent).append("  ").append(s.format()).append('\n');
    }
    for (String note : notes) {
      b.append(indent).append("  note: ").append(note).append('\n');
    }
    for (HealthReport p : parts) {
      if (p.healthy() && !p.repaired()) {
        b.append(indent).append("  ").append(p.kind()).append(' ').append(p.cap()).append(": ")
            .append(p.summary()).append('\n');
      } else {
        p.format(b, indent + "  ");
      }
    }
  }

  /** The summary line: health, shares found of needed, happiness, repair and leases. */
  public String summary() {
    StringBuilder b = new StringBuilder(healthy ? "healthy" : recoverable
        ? "not healthy (recoverable)" : "not healthy (NOT recoverable)");
    if (n > 0) {
      b.append(": ").append(found).append(" of ").append(n).append(" shares good (").append(k)
          .append(" needed), happiness ").append(happiness).append(" of ").append(happy);
    }
    if (!parts.isEmpty()) {
      long bad = unhealthyParts().size();
      b.append(n > 0 ? "; " : ": ").append(parts.size()).append(" parts, ").append(bad)
          .append(" not healthy");
    }
    int corrupt = count(ShareReport.Status.CORRUPT);
    int missing = count(ShareReport.Status.MISSING);
    if (corrupt > 0) {
      b.append(", ").append(corrupt).append(" corrupt");
    }
    if (missing > 0) {
      b.append(", ").append(missing).append(" missing");
    }
    if (repaired) {
      b.append("; repaired");
    }
    if (leasesRenewed > 0) {
      b.append("; leases renewed on ").append(leasesRenewed).append(" servers");
    }
    return b.toString();
  }

  private int count(ShareReport.Status status) {
    int c = 0;
    for (ShareReport s : shares) {
      if (s.status() == status) {
        c++;
      }
    }
    return c;
  }

  @Override
  public String toString() {
    return format();
  }
}
