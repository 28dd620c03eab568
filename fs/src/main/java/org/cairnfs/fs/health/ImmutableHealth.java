package org.cairnfs.fs.health;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.IntegrityException;
import org.cairnfs.caps.immutable.ShareCheck;
import org.cairnfs.caps.immutable.ShareLayout;
import org.cairnfs.caps.share.ShareSource;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.Happiness;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.message.Response;

/**
 * Check, verify and repair of one immutable file (a whole file, a chunk, a manifest node or an
 * immutable directory) with its verify cap. Blocking; runs on the grid's worker threads.
 *
 * <p>Check asks every server which shares it holds (LIST_SHARES) and checks each share's front
 * against the cap ({@link ShareCheck#checkFront}: header, extension block, hash chain, block
 * tree root; a few KiB, no blocks) and its listed size. Verify reads every share whole and
 * proves every block and tree node ({@link ShareCheck#checkAll}). Repair verifies, then
 * rebuilds the missing share numbers from k good shares with {@link
 * org.cairnfs.caps.immutable.ShareRebuilder} (ciphertext only, no read key) and streams them to
 * the servers {@link RepairPlan} picks, each under this client's lease.
 */
final class ImmutableHealth {
  /** One copy of one share on one server, and what the check made of it. */
  record Copy(NodeId server, int share, long size, ShareReport.Status status, String reason,
      boolean repaired) {}

  /** Everything an examination found. */
  record Findings(ImmutableVerifyCap cap, ServerSurvey<List<Response.ShareSize>> survey,
      List<Copy> copies, List<String> notes, int leases) {
    Map<NodeId, Set<Integer>> good() {
      Map<NodeId, Set<Integer>> out = new LinkedHashMap<>();
      for (Copy c : copies) {
        if (c.status() == ShareReport.Status.OK) {
          out.computeIfAbsent(c.server(), s -> new TreeSet<>()).add(c.share());
        }
      }
      return out;
    }

    Map<NodeId, Set<Integer>> held() {
      Map<NodeId, Set<Integer>> out = new LinkedHashMap<>();
      for (Copy c : copies) {
        out.computeIfAbsent(c.server(), s -> new TreeSet<>()).add(c.share());
      }
      return out;
    }

    Set<Integer> goodNumbers() {
      Set<Integer> out = new TreeSet<>();
      good().values().forEach(out::addAll);
      return out;
    }
  }

  private final GridClient grid;

  ImmutableHealth(GridClient grid) {
    this.grid = grid;
  }

  HealthReport check(ImmutableVerifyCap cap, String kind, boolean verify, boolean lease) {
    return report(examine(cap, verify, lease), kind);
  }

  /** Verifies every share, then re-creates what is missing or corrupt where it is needed. */
  HealthReport repair(ImmutableVerifyCap cap, String kind, boolean lease) {
    Findings f = examine(cap, true, lease);
    Set<Integer> goodNumbers = f.goodNumbers();
    HealthReport before = report(f, kind);
    if (before.healthy()) {
      return before;
    }
    List<String> notes = new ArrayList<>(f.notes());
    if (goodNumbers.size() < cap.k()) {
      notes.add("cannot repair: " + goodNumbers.size() + " good shares found, " + cap.k()
          + " needed to rebuild the others");
      return report(new Findings(cap, f.survey(), f.copies(), notes, f.leases()), kind);
    }
    List<Copy> copies = new ArrayList<>(f.copies());
    new ImmutableRepair(grid, cap, f, notes).run().forEach(copies::add);
    return report(new Findings(cap, f.survey(), copies, notes, f.leases()), kind);
  }

  /** Surveys the servers and checks every copy found (in parallel), optionally leasing. */
  Findings examine(ImmutableVerifyCap cap, boolean verify, boolean lease) {
    StorageIndex index = cap.index();
    ServerSurvey<List<Response.ShareSize>> survey = ServerSurvey.ask(grid.servers(), index,
        grid.config().readTimeout(), c -> c.listShares(index));
    List<CompletableFuture<Copy>> checks = new ArrayList<>();
    survey.answers.forEach((id, shares) -> {
      StorageClient client = survey.clients.get(id);
      for (Response.ShareSize s : shares) {
        checks.add(CompletableFuture.supplyAsync(
            () -> checkCopy(cap, id, client, s.share(), s.size(), verify), grid.workers()));
      }
    });
    List<Copy> copies = new ArrayList<>();
    for (CompletableFuture<Copy> c : checks) {
      copies.add(c.join());
    }
    List<String> notes = new ArrayList<>();
    survey.problems.forEach((id, why) -> notes.add("server " + grid.servers().describe(id)
        + " " + why));
    int leases = lease ? ServerSurvey.addLeases(grid, index, survey, notes) : 0;
    return new Findings(cap, survey, copies, notes, leases);
  }

  private Copy checkCopy(ImmutableVerifyCap cap, NodeId id, StorageClient client, int share,
      long size, boolean verify) {
    if (share >= cap.n()) {
      return new Copy(id, share, size, ShareReport.Status.CORRUPT,
          "share number is not below n=" + cap.n(), false);
    }
    ShareSource source = new RemoteRange(client, cap.index(), share, size,
        grid.config().readTimeout(), verify);
    try {
      ShareLayout layout = verify ? ShareCheck.checkAll(cap, share, source)
          : ShareCheck.checkFront(cap, share, source);
      if (layout.shareLength() != size) {
        return new Copy(id, share, size, ShareReport.Status.CORRUPT, "it is " + size
            + " bytes, a share of this file is " + layout.shareLength(), false);
      }
      return new Copy(id, share, size, ShareReport.Status.OK, "", false);
    } catch (IntegrityException e) {
      String why = e.badShares().getOrDefault(share, e.getMessage());
      // A server that fails mid-read has not shown a bad share: that copy is just not there.
      ShareReport.Status status = IntegrityException.isReadFailure(why)
          ? ShareReport.Status.MISSING : ShareReport.Status.CORRUPT;
      return new Copy(id, share, size, status, why, false);
    }
  }

  private HealthReport report(Findings f, String kind) {
    ImmutableVerifyCap cap = f.cap();
    List<Copy> sorted = new ArrayList<>(f.copies());
    Map<NodeId, Integer> ringIndex = new TreeMap<>();
    for (int i = 0; i < f.survey().ring.size(); i++) {
      ringIndex.put(f.survey().ring.get(i), i);
    }
    sorted.sort(Comparator.comparingInt(Copy::share)
        .thenComparingInt(c -> ringIndex.getOrDefault(c.server(), Integer.MAX_VALUE)));
    List<ShareReport> shares = new ArrayList<>();
    Set<Integer> seen = new TreeSet<>();
    for (Copy c : sorted) {
      seen.add(c.share());
      shares.add(new ShareReport(c.share(), grid.servers().describe(c.server()), c.status(),
          c.reason(), c.repaired()));
    }
    for (int i = 0; i < cap.n(); i++) {
      if (!seen.contains(i)) {
        shares.add(new ShareReport(i, ShareReport.NOWHERE, ShareReport.Status.MISSING,
            "on none of the " + f.survey().answers.size() + " servers that answered", false));
      }
    }
    shares.sort(Comparator.comparingInt(ShareReport::number));
    Set<Integer> goodNumbers = f.goodNumbers();
    int happiness = Happiness.of(f.good());
    int happy = Math.min(grid.config().params().happy(), cap.n());
    boolean healthy = goodNumbers.size() == cap.n() && happiness >= happy;
    List<String> notes = new ArrayList<>(f.notes());
    if (goodNumbers.size() == cap.n() && happiness < happy) {
      notes.add("every share is present, but on too few distinct servers (happiness "
          + happiness + ", want " + happy + ")");
    }
    boolean repaired = f.copies().stream().anyMatch(Copy::repaired);
    return new HealthReport(cap.toString(), kind, healthy, goodNumbers.size() >= cap.k(),
        cap.k(), happy, cap.n(), goodNumbers.size(), happiness, shares, repaired, f.leases(),
        notes, List.of());
  }
}
