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
}
