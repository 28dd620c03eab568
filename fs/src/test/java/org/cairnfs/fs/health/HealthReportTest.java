package org.cairnfs.fs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The report as the CLI prints it. */
class HealthReportTest {
  static ShareReport share(int n, ShareReport.Status status, String why) {
    return new ShareReport(n, n < 0 ? ShareReport.NOWHERE : "server" + n + " (abc" + n + ")",
        status, why, false);
  }

  @Test
  void aDamagedFileNamesEachBadShareWithItsServerAndReason() {
    HealthReport r = new HealthReport("cairn:chk-v:x", "immutable", false, true, 3, 7, 4, 2, 2,
        List.of(share(0, ShareReport.Status.OK, ""),
            share(1, ShareReport.Status.CORRUPT, "block 4 does not match its hash"),
            new ShareReport(2, ShareReport.NOWHERE, ShareReport.Status.MISSING,
                "on none of the 4 servers that answered", false),
            share(3, ShareReport.Status.OK, "")),
        false, 0, List.of("server abc9 not reachable: refused"), List.of());
    assertThat(r.format()).isEqualTo("""
        immutable cairn:chk-v:x
          not healthy (recoverable): 2 of 4 shares good (3 needed), happiness 2 of 7, \
        1 corrupt, 1 missing
          share 0 on server0 (abc0): ok
          share 1 on server1 (abc1): corrupt: block 4 does not match its hash
          share 2 on no server: missing: on none of the 4 servers that answered
          share 3 on server3 (abc3): ok
          note: server abc9 not reachable: refused
        """);
    assertThat(r.corruptShares()).containsExactly(1);
    assertThat(r.missingShares()).containsExactly(2);
    assertThat(r.goodShares()).containsExactly(0, 3);
  }

  /** A share report made without a reason has an empty one: its line ends at the status. */
  @Test
  void aShareReportWithoutAReasonHasAnEmptyOne() {
    ShareReport s = new ShareReport(4, "server4 (abc4)", ShareReport.Status.MISSING, null, false);
    assertThat(s.reason()).isEmpty();
    assertThat(s.format()).isEqualTo("share 4 on server4 (abc4): missing");
  }

  @Test
  void healthyPartsTakeOneLineAndUnhealthyOnesAreShownWhole() {
    HealthReport good = new HealthReport("cairn:chk-v:a", "chunk", true, true, 1, 1, 1, 1, 1,
        List.of(share(0, ShareReport.Status.OK, "")), false, 0, List.of(), List.of());
    HealthReport bad = new HealthReport("cairn:chk-v:b", "chunk", false, false, 1, 1, 1, 0, 0,
        List.of(new ShareReport(0, ShareReport.NOWHERE, ShareReport.Status.MISSING, "", false)),
        false, 0, List.of(), List.of());
    HealthReport file = new HealthReport("cairn:cf-v:f", "chunked", false, false, 1, 1, 1, 0, 0,
        List.of(), false, 0, List.of(), List.of(good, bad));
    assertThat(file.format()).isEqualTo("""
        chunked cairn:cf-v:f
          not healthy (NOT recoverable): 0 of 1 shares good (1 needed), happiness 0 of 1; \
        2 parts, 1 not healthy
          chunk cairn:chk-v:a: healthy: 1 of 1 shares good (1 needed), happiness 1 of 1
          chunk cairn:chk-v:b
            not healthy (NOT recoverable): 0 of 1 shares good (1 needed), happiness 0 of 1, \
        1 missing
            share 0 on no server: missing
        """);
    assertThat(file.unhealthyParts()).containsExactly(bad);
  }

  @Test
  void aRepairedFileSaysSoAndAHealthyOneSaysHealthy() {
    HealthReport r = new HealthReport("cairn:chk-v:x", "immutable", true, true, 1, 1, 1, 1, 1,
        List.of(new ShareReport(0, "s (a)", ShareReport.Status.OK, "rebuilt", true)), true, 1,
        List.of(), List.of());
    assertThat(r.summary()).isEqualTo("healthy: 1 of 1 shares good (1 needed), happiness 1 of 1;"
        + " repaired; leases renewed on 1 servers");
    assertThat(r.format()).contains("share 0 on s (a): ok (placed by repair): rebuilt");
    assertThat(HealthReport.literal("cairn:lit:x", "literal").format())
        .contains("healthy", "nothing is stored");
  }

  static HealthReport part(String cap, boolean healthy, boolean recoverable, boolean repaired,
      int leases) {
    return new HealthReport(cap, "directory page", healthy, recoverable, 1, 1, 1,
        healthy ? 1 : 0, healthy ? 1 : 0, List.of(), repaired, leases, List.of(), List.of());
  }

  static HealthReport root(boolean healthy, boolean recoverable, boolean repaired) {
    return new HealthReport("cairn:dir-v:r", "directory", healthy, recoverable, 3, 7, 10, 10, 10,
        List.of(share(0, ShareReport.Status.OK, "")), repaired, 10, List.of("root note"),
        List.of());
  }

  /** A directory is healthy, recoverable and repaired as its root and pages are together. */
  @Test
  void aDirectoryWithPagesIsAsHealthyAsItsWorstPart() {
    HealthReport good = part("cairn:chk-v:p1", true, true, false, 10);
    HealthReport unhealthy = part("cairn:chk-v:p2", false, true, false, 9);
    HealthReport lost = part("cairn:chk-v:p3", false, false, false, 2);
    HealthReport mended = part("cairn:chk-v:p4", true, true, true, 10);

    HealthReport all = root(true, true, false).withPages(List.of(good, mended), true,
        List.of("new note"));
    assertThat(all.healthy()).isTrue();
    assertThat(all.recoverable()).isTrue();
    assertThat(all.repaired()).isTrue();
    assertThat(all.leasesRenewed()).isEqualTo(30);
    assertThat(all.notes()).containsExactly("new note");
    assertThat(all.parts()).containsExactly(good, mended);
    assertThat(all.cap()).isEqualTo("cairn:dir-v:r");
    assertThat(all.kind()).isEqualTo("directory");
    assertThat(List.of(all.k(), all.happy(), all.n(), all.found(), all.happiness()))
        .containsExactly(3, 7, 10, 10, 10);
    assertThat(all.shares()).hasSize(1);

    HealthReport onePageBad = root(true, true, false).withPages(List.of(good, unhealthy), true,
        List.of());
    assertThat(onePageBad.healthy()).isFalse();
    assertThat(onePageBad.recoverable()).isTrue();
    assertThat(onePageBad.repaired()).isFalse();
    assertThat(onePageBad.leasesRenewed()).isEqualTo(29);

    HealthReport onePageLost = root(true, true, false).withPages(List.of(lost, good), true,
        List.of());
    assertThat(onePageLost.healthy()).isFalse();
    assertThat(onePageLost.recoverable()).isFalse();

    HealthReport rootBad = root(false, false, true).withPages(List.of(good), true, List.of());
    assertThat(rootBad.healthy()).isFalse();
    assertThat(rootBad.recoverable()).isFalse();
    assertThat(rootBad.repaired()).isTrue();

    HealthReport unwalked = root(true, true, false).withPages(List.of(good), false, List.of());
    assertThat(unwalked.healthy()).as("pages not all reached").isFalse();
    assertThat(unwalked.recoverable()).isFalse();

    HealthReport flat = root(true, true, false).withPages(List.of(), true, List.of());
    assertThat(flat.healthy()).isTrue();
    assertThat(flat.recoverable()).isTrue();
    assertThat(flat.repaired()).isFalse();
    assertThat(flat.leasesRenewed()).isEqualTo(10);
  }

  @Test
  void anImmutableDirectorysReportCarriesItsOwnCapAndEverythingElseUnchanged() {
    HealthReport file = new HealthReport("cairn:chk-v:f", "immutable directory", false, true,
        3, 7, 10, 9, 9, List.of(share(1, ShareReport.Status.CORRUPT, "bad")), true, 4,
        List.of("n"), List.of(part("cairn:chk-v:p", true, true, false, 1)));
    HealthReport dir = file.withCap("cairn:imm-dir-v:d");
    assertThat(dir).isEqualTo(new HealthReport("cairn:imm-dir-v:d", "immutable directory",
        false, true, 3, 7, 10, 9, 9, file.shares(), true, 4, List.of("n"), file.parts()));
  }

  /** A chunked file's summary with no shares of its own, and parts of parts. */
  @Test
  void aReportWithoutSharesOfItsOwnCountsItsPartsDeeply() {
    HealthReport badLeaf = part("cairn:chk-v:leaf", false, true, false, 0);
    HealthReport badNode = new HealthReport("cairn:chk-v:node", "manifest node", false, true, 1,
        1, 1, 1, 1, List.of(), false, 0, List.of(), List.of(badLeaf));
    HealthReport top = new HealthReport("cairn:cf-v:x", "chunked", false, true, 3, 7, 0, 0, 0,
        List.of(), false, 0, List.of(), List.of(badNode, part("cairn:chk-v:ok", true, true,
            false, 0)));
    assertThat(top.unhealthyParts()).containsExactly(badNode, badLeaf);
    assertThat(top.summary()).isEqualTo("not healthy (recoverable): 2 parts, 2 not healthy");
    HealthReport fine = new HealthReport("cairn:cf-v:y", "chunked", true, true, 3, 7, 0, 0, 0,
        List.of(), false, 0, List.of(), List.of(part("cairn:chk-v:ok", true, true, false, 0)));
    assertThat(fine.summary()).isEqualTo("healthy: 1 parts, 0 not healthy");
    assertThat(fine.unhealthyParts()).isEmpty();
    assertThat(fine).hasToString(fine.format());
  }
}
