package org.cairnfs.fs.health;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.MutableVerifyCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.mutable.MutableIntegrityException;
import org.cairnfs.caps.mutable.MutableShare;
import org.cairnfs.caps.mutable.MutableShareFormatException;
import org.cairnfs.caps.mutable.SignedHeader;
import org.cairnfs.caps.mutable.SlotWriteCheck;
import org.cairnfs.caps.mutable.SlotWriteRejectedException;
import org.cairnfs.caps.mutable.VersionId;
import org.cairnfs.caps.mutable.VersionSelector;
import org.cairnfs.fs.grid.Await;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.Happiness;
import org.cairnfs.protocol.client.RemoteException;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WireLimits;

/**
 * Check, verify and repair of one mutable slot (a mutable file or a directory's root) with its
 * verify cap, the fingerprint. Blocking; runs on the grid's worker threads.
 *
 * <p>Check reads the first {@link #FRONT} bytes of every share on every server (one READ_SLOT
 * each), authenticates each front against the fingerprint (key, signature) and picks the
 * current version as readers do ({@link VersionSelector}); shares of older versions count as
 * missing. Verify then reads each share of the current version whole and runs the storage
 * servers' own full rule on it ({@link SlotWriteCheck#check}: chain, every block tree node and
 * every block against the signed root).
 *
 * <p>Repair first gives every server still on an older version of a share the current one in
 * its place, then copies good shares of the current version, byte for byte, to servers lacking
 * them, as {@link RepairPlan} places them: a signed share needs no key to be copied, and the
 * server accepts it because its seqnum is higher than what it holds. A stale copy makes a slot
 * unhealthy: a reader that reaches only such servers sees old contents.
 *
 * <p>What a verify cap cannot do is said in the notes: a server holding a damaged copy at the
 * current seqnum refuses the same seqnum again, and a share number with no good copy anywhere
 * would have to be re-encoded (a write-cap holder's next publish writes all n).
 */
final class SlotHealth {
  static final int FRONT = 16 << 10;
  static final int SMALL_FRONT = 1 << 10;

  /** One copy of one share number on one server. */
  private record Copy(NodeId server, int share, ShareReport.Status status, String reason,
      Optional<SignedHeader> header, byte[] whole, boolean repaired) {}

  private record Findings(ServerSurvey<List<Response.SlotShare>> survey, List<Copy> copies,
      Optional<VersionId> best, Optional<SignedHeader> header, List<String> notes, int leases) {}

  private final GridClient grid;
  private final Duration timeout;

  SlotHealth(GridClient grid) {
    this.grid = grid;
    this.timeout = grid.config().readTimeout();
  }

  HealthReport check(MutableVerifyCap cap, String shown, String kind, boolean verify,
      boolean lease, List<String> extraNotes) {
    Findings f = examine(cap, verify, lease);
    f.notes().addAll(extraNotes);
    return report(shown, kind, f);
  }

  HealthReport repair(MutableVerifyCap cap, String shown, String kind, boolean lease,
      List<String> extraNotes) {
    Findings f = examine(cap, true, lease);
    f.notes().addAll(extraNotes);
    if (f.best().isEmpty()) {
      // before the report is made: it copies the notes
      f.notes().add("cannot repair: no version of this slot has k good shares");
      return report(shown, kind, f);
    }
    HealthReport before = report(shown, kind, f);
    if (before.healthy()) {
      return before;
    }
    List<Copy> placed = republish(cap, f);
    List<Copy> copies = new ArrayList<>();
    for (Copy c : f.copies()) {
      boolean replaced = c.status() == ShareReport.Status.MISSING && placed.stream()
          .anyMatch(p -> p.server().equals(c.server()) && p.share() == c.share());
      if (!replaced) {
        copies.add(c);
      }
    }
    copies.addAll(placed);
    return report(shown, kind, new Findings(f.survey(), copies, f.best(), f.header(),
        f.notes(), f.leases()));
  }

  private Findings examine(MutableVerifyCap cap, boolean verify, boolean lease) {
    StorageIndex index = cap.storageIndex().orElseThrow();
    ServerSurvey<List<Response.SlotShare>> survey = ServerSurvey.ask(grid.servers(), index,
        timeout, c -> c.readSlot(index, Set.of(), 0, FRONT).exceptionallyCompose(e ->
            Await.unwrap(e) instanceof RemoteException r && r.code() == ErrorCode.BAD_REQUEST
                // so many shares that FRONT of each exceeds one answer: ask for less
                ? c.readSlot(index, Set.of(), 0, SMALL_FRONT)
                : CompletableFuture.failedFuture(e)));
    List<Copy> copies = new ArrayList<>();
    List<VersionSelector.Observation> seen = new ArrayList<>();
    survey.answers.forEach((id, shares) -> {
      for (Response.SlotShare s : shares) {
        try {
          MutableShare share = MutableShare.parsePrefix(s.data());
          share.authenticate(cap.fingerprint());
          if (share.shareNumber() != s.share()) {
            throw new MutableIntegrityException("stored as share " + s.share()
                + " but says it is share " + share.shareNumber());
          }
          seen.add(new VersionSelector.Observation(id.toString(), s.share(), share.header()));
          byte[] whole = s.data().length >= share.shareLength() ? s.data() : null;
          copies.add(new Copy(id, s.share(), ShareReport.Status.OK, "",
              Optional.of(share.header()), whole, false));
        } catch (MutableShareFormatException | MutableIntegrityException e) {
          copies.add(new Copy(id, s.share(), ShareReport.Status.CORRUPT, e.getMessage(),
              Optional.empty(), null, false));
        }
      }
    });
    VersionSelector.Selection selection = VersionSelector.select(seen);
    List<String> notes = new ArrayList<>();
    survey.problems.forEach((id, why) -> notes.add("server " + grid.servers().describe(id)
        + " " + why));
    if (selection.collision()) {
      notes.add("two writers published seqnum " + selection.highestSeen().get(0).seqnum()
          + " without seeing each other; a write-cap holder's next change merges them");
    }
    for (VersionId newer : selection.newerUnrecoverable()) {
      notes.add("a newer version (seqnum " + newer.seqnum() + ") has fewer than k shares: a "
          + "publish in progress, or one that failed");
    }
    Optional<VersionId> best = selection.best();
    Optional<SignedHeader> header = Optional.empty();
    List<Copy> judged = new ArrayList<>();
    for (Copy c : copies) {
      if (c.header().isEmpty() || best.isEmpty()) {
        judged.add(c);
      } else if (!c.header().get().versionId().equals(best.get())) {
        long seq = c.header().get().seqnum();
        judged.add(new Copy(c.server(), c.share(), ShareReport.Status.MISSING, "holds "
            + (seq < best.get().seqnum() ? "an older" : "another") + " version (seqnum " + seq
            + "), not the current one (seqnum " + best.get().seqnum() + ")", c.header(), null,
            false));
      } else {
        header = c.header();
        judged.add(verify ? verifyWhole(index, survey, c) : c);
      }
    }
    int leases = lease ? ServerSurvey.addLeases(grid, index, survey, notes) : 0;
    return new Findings(survey, judged, best, header, notes, leases);
  }

  /** Reads the share whole (unless the front already was) and runs the full write rule. */
  private Copy verifyWhole(StorageIndex index, ServerSurvey<List<Response.SlotShare>> survey,
      Copy c) {
    try {
      byte[] whole = c.whole();
      if (whole == null) {
        whole = fetch(survey.clients.get(c.server()), index, c.share());
      }
      SlotWriteCheck.check(index, c.share(), whole, OptionalLong.empty());
      return new Copy(c.server(), c.share(), ShareReport.Status.OK, "", c.header(), whole,
          false);
    } catch (SlotWriteRejectedException e) {
      return new Copy(c.server(), c.share(), ShareReport.Status.CORRUPT, e.getMessage(),
          c.header(), null, false);
    } catch (IOException e) {
      // A server that fails mid-read has not shown a bad share: that copy is just not there.
      return new Copy(c.server(), c.share(), ShareReport.Status.MISSING,
          "could not be read whole: " + e.getMessage(), c.header(), null, false);
    }
  }

  /** The whole share, in READ_SLOT requests of at most 1 MiB sent at once. */
  private byte[] fetch(StorageClient client, StorageIndex index, int share) throws IOException {
    byte[] front = Await.get(client.readSlot(index, Set.of(share), 0, FRONT), timeout,
        "reading slot share " + share).stream().findFirst()
        .orElseThrow(() -> new IOException("share " + share + " is gone")).data();
    long length = MutableShare.parsePrefix(front).shareLength();
    List<CompletableFuture<List<Response.SlotShare>>> pieces = new ArrayList<>();
    for (long at = front.length; at < length; at += WireLimits.MAX_CHUNK) {
      pieces.add(client.readSlot(index, Set.of(share), at,
          (int) Math.min(WireLimits.MAX_CHUNK, length - at)));
    }
    byte[] all = Arrays.copyOf(front, (int) length);
    int at = front.length;
    for (CompletableFuture<List<Response.SlotShare>> piece : pieces) {
      List<Response.SlotShare> got = Await.get(piece, timeout, "reading slot share " + share);
      byte[] data = got.isEmpty() ? new byte[0] : got.get(0).data();
      System.arraycopy(data, 0, all, at, Math.min(data.length, all.length - at));
      at += data.length;
    }
    if (at < length) {
      throw new IOException("share " + share + " ends at " + at + ", its header says " + length);
    }
    return all;
  }

  /** Copies good shares of the current version where {@link RepairPlan} wants them. */
  private List<Copy> republish(MutableVerifyCap cap, Findings f) {
    StorageIndex index = cap.storageIndex().orElseThrow();
    int n = f.header().orElseThrow().n();
    long seqnum = f.best().orElseThrow().seqnum();
    Map<NodeId, Set<Integer>> good = new LinkedHashMap<>();
    Map<Integer, byte[]> bytes = new HashMap<>();
    Map<NodeId, Set<Integer>> blocked = new HashMap<>();
    for (Copy c : f.copies()) {
      if (c.status() == ShareReport.Status.OK) {
        good.computeIfAbsent(c.server(), s -> new TreeSet<>()).add(c.share());
        bytes.putIfAbsent(c.share(), c.whole());
      } else if (c.header().isEmpty() || c.header().get().seqnum() >= seqnum) {
        blocked.computeIfAbsent(c.server(), s -> new TreeSet<>()).add(c.share());
      }
    }
    for (int share = 0; share < n; share++) {
      if (!bytes.containsKey(share)) {
        f.notes().add("share " + share + " of the current version has no good copy on any "
            + "server; a verify cap cannot re-create it (it would need re-encoding): the next "
            + "publish by a write-cap holder writes all " + n + " shares");
        for (NodeId id : f.survey().clients.keySet()) {
          blocked.computeIfAbsent(id, s -> new TreeSet<>()).add(share);
        }
      }
    }
    for (Copy c : f.copies()) {
      if (c.status() == ShareReport.Status.CORRUPT && c.header().isPresent()
          && c.header().get().seqnum() == seqnum) {
        f.notes().add("the corrupt copy of share " + c.share() + " on "
            + grid.servers().describe(c.server()) + " stays: the server refuses the same "
            + "seqnum again; a write-cap holder's next publish replaces it");
      }
    }
    // Servers holding an older version of a share get the current one in its place first.
    Map<NodeId, Set<Integer>> targets = new LinkedHashMap<>();
    for (Copy c : f.copies()) {
      if (c.status() == ShareReport.Status.MISSING && c.header().isPresent()
          && c.header().get().seqnum() < seqnum && bytes.containsKey(c.share())) {
        targets.computeIfAbsent(c.server(), s -> new TreeSet<>()).add(c.share());
      }
    }
    Map<NodeId, Set<Integer>> planned = new LinkedHashMap<>();
    good.forEach((id, s) -> planned.computeIfAbsent(id, x -> new TreeSet<>()).addAll(s));
    targets.forEach((id, s) -> planned.computeIfAbsent(id, x -> new TreeSet<>()).addAll(s));
    List<NodeId> usable = new ArrayList<>(f.survey().clients.keySet());
    RepairPlan.plan(usable, planned, blocked, n).forEach((id, s) -> targets
        .computeIfAbsent(id, x -> new TreeSet<>()).addAll(s));
    Map<NodeId, Map<Integer, List<CompletableFuture<Void>>>> writes = new LinkedHashMap<>();
    targets.forEach((id, shares) -> {
      StorageClient client = f.survey().clients.get(id);
      for (int share : shares) {
        writes.computeIfAbsent(id, x -> new java.util.TreeMap<>())
            .put(share, write(client, index, id, share, bytes.get(share)));
      }
    });
    List<Copy> placed = new ArrayList<>();
    writes.forEach((id, byShare) -> byShare.forEach((share, chunks) -> {
      try {
        for (CompletableFuture<Void> chunk : chunks) {
          Await.get(chunk, grid.config().stallTimeout(), "writing slot share " + share);
        }
        placed.add(new Copy(id, share, ShareReport.Status.OK,
            "copied from a verified copy of the current version", f.header(),
            bytes.get(share), true));
      } catch (IOException e) {
        f.notes().add("new copy of share " + share + " on " + grid.servers().describe(id)
            + " failed: " + e.getMessage());
      }
    }));
    return placed;
  }

  private List<CompletableFuture<Void>> write(StorageClient client, StorageIndex index,
      NodeId id, int share, byte[] data) {
    byte[] renew = grid.secrets().renewSecret(index, id);
    byte[] cancel = grid.secrets().cancelSecret(index, id);
    List<CompletableFuture<Void>> chunks = new ArrayList<>();
    for (int at = 0; at < data.length; at += WireLimits.MAX_CHUNK) {
      byte[] piece = Arrays.copyOfRange(data, at, Math.min(data.length,
          at + WireLimits.MAX_CHUNK));
      chunks.add(client.writeSlotShare(index, share, renew, cancel, data.length, at, piece));
    }
    return chunks;
  }

  private HealthReport report(String shown, String kind, Findings f) {
    int k = f.header().map(SignedHeader::k).orElse(0);
    int n = f.header().map(SignedHeader::n).orElse(0);
    List<ShareReport> shares = new ArrayList<>();
    Map<NodeId, Set<Integer>> good = new LinkedHashMap<>();
    Set<Integer> numbers = new TreeSet<>();
    Set<Integer> seen = new TreeSet<>();
    for (Copy c : f.copies()) {
      shares.add(new ShareReport(c.share(), grid.servers().describe(c.server()), c.status(),
          c.reason(), c.repaired()));
      seen.add(c.share());
      if (c.status() == ShareReport.Status.OK) {
        good.computeIfAbsent(c.server(), s -> new TreeSet<>()).add(c.share());
        numbers.add(c.share());
      }
    }
    for (int i = 0; i < n; i++) {
      if (!seen.contains(i)) {
        shares.add(new ShareReport(i, ShareReport.NOWHERE, ShareReport.Status.MISSING,
            "on none of the " + f.survey().answers.size() + " servers that answered", false));
      }
    }
    shares.sort(Comparator.comparingInt(ShareReport::number));
    int happiness = Happiness.of(good);
    int happy = Math.min(grid.config().params().happy(), Math.max(n, 1));
    List<String> notes = new ArrayList<>(f.notes());
    if (f.best().isEmpty()) {
      notes.add(f.copies().isEmpty() ? "no share of this slot on the "
          + f.survey().answers.size() + " servers that answered"
          : "no version of this slot has k good shares");
    }
    boolean stale = f.copies().stream().anyMatch(c -> c.status() == ShareReport.Status.MISSING
        && c.header().isPresent() && f.best().isPresent()
        && !c.header().get().versionId().equals(f.best().get()));
    if (stale) {
      notes.add("servers holding an older version of a share are not healthy: a reader that "
          + "asks only them sees old contents");
    }
    boolean healthy = f.best().isPresent() && numbers.size() == n && happiness >= happy
        && !stale;
    boolean recoverable = f.best().isPresent() && numbers.size() >= k;
    boolean repaired = f.copies().stream().anyMatch(Copy::repaired);
    return new HealthReport(shown, kind, healthy, recoverable, k, happy, n, numbers.size(),
        happiness, shares, repaired, f.leases(), notes, List.of());
  }
}
