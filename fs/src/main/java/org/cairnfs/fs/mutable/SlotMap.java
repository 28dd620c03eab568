package org.cairnfs.fs.mutable;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.mutable.MutableIntegrityException;
import org.cairnfs.caps.mutable.MutableShare;
import org.cairnfs.caps.mutable.MutableShareFormatException;
import org.cairnfs.caps.mutable.VersionId;
import org.cairnfs.caps.mutable.VersionSelector;
import org.cairnfs.fs.grid.Await;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.grid.PermutedRing;
import org.cairnfs.fs.grid.ServerPool;
import org.cairnfs.protocol.client.RemoteException;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the servers hold of one mutable slot: every share found, its front authenticated (key
 * of this slot, valid signature), grouped into versions by {@link VersionSelector}.
 *
 * <p>Built by asking servers in ring order, 2n at a time in parallel, one READ_SLOT each for the
 * first {@link #FRONT} bytes of every share they hold (for a directory-sized file that is the
 * whole share, so reading needs no second round trip). Further batches are asked only while no
 * version is recoverable. Shares that fail authentication are ignored (and logged): an unsigned
 * claim must never hide or outrank a real version.
 */
final class SlotMap {
  private static final Logger log = LoggerFactory.getLogger(SlotMap.class);
  /** Bytes of each share fetched while mapping. */
  static final int FRONT = 16 << 10;
  /** Fallback when a server holds so many shares that FRONT of each exceeds one answer. */
  static final int SMALL_FRONT = 1 << 10;

  /** One authenticated share on one server, with the bytes fetched so far (from offset 0). */
  record Found(NodeId server, StorageClient client, MutableShare share, byte[] fetched) {
    int number() {
      return share.shareNumber();
    }

    VersionId version() {
      return share.header().versionId();
    }
  }

  final StorageIndex index;
  final List<NodeId> ring;
  /** Servers that answered, in ring order, with their connections. */
  final Map<NodeId, StorageClient> reachable = new LinkedHashMap<>();
  final Map<NodeId, String> problems = new LinkedHashMap<>();
  /** Readers silent after the grace, set aside while the rest of the ring may do. */
  private final Map<NodeId, CompletableFuture<List<Response.SlotShare>>> slow =
      new LinkedHashMap<>();
  private final Map<NodeId, StorageClient> clients = new java.util.HashMap<>();
  final List<Found> found = new ArrayList<>();
  private final SignatureMemo signatures = new SignatureMemo();
  /** How long a batch waits for connections and answers (GridConfig.answerGrace). */
  private final Duration grace;
  private VersionSelector.Selection selection;

  private SlotMap(StorageIndex index, List<NodeId> ring, Duration grace) {
    this.index = index;
    this.ring = ring;
    this.grace = grace;
  }

  /** What a map is for, which decides how far it reads and whether it waits for slow readers. */
  enum Purpose {
    /** A plain read: on until a version is recoverable; slow readers may be left out. */
    READ(true, false),
    /** What a writer builds on: on until recoverable, every slow reader waited for. */
    WRITE(true, true),
    /** The check for another writer after a publish: every slow reader waited for. */
    CHECK(false, true),
    /** Places for a new slot's shares: servers that answer in time. */
    PLACE(false, false);

    final boolean untilRecoverable;
    /**
     * Why writers wait: a newer version, or another writer's, held only by servers slow to
     * answer would be missed, and the next publish would write over it or tie with it.
     */
    final boolean waitForSlow;

    Purpose(boolean untilRecoverable, boolean waitForSlow) {
      this.untilRecoverable = untilRecoverable;
      this.waitForSlow = waitForSlow;
    }
  }

  /**
   * Maps the slot: reads the first 2n servers, and further ones (batches doubling up to 16n)
   * while fewer than n answered, or, for a {@link Purpose#untilRecoverable}, while no version
   * is recoverable. Why n: a publish places shares on the first n servers that answer, so the
   * check for a concurrent writer after it must read as far (a ring mostly of servers that
   * never answer). Readers set aside as slow are waited for at the end when the purpose says
   * so or the rest of the ring was not enough; else only those that answered by then count
   * (each batch waits a grace, not each slow server's delay).
   */
  static SlotMap build(ServerPool pool, StorageIndex index, byte[] fingerprint, int n,
      Duration timeout, Duration grace, Purpose purpose) {
    SlotMap map = new SlotMap(index, PermutedRing.order(index, pool.serverIds()), grace);
    int next = 0;
    int batches = 0;
    do {
      int end = Math.min(map.ring.size(), next + (2 * n << Math.min(batches++, 3)));
      map.ask(pool, map.ring.subList(next, end), fingerprint, timeout, n);
      next = end;
    } while (map.stillShort(n, purpose.untilRecoverable) && next < map.ring.size());
    map.collectSlow(fingerprint, timeout,
        !purpose.waitForSlow && !map.stillShort(n, purpose.untilRecoverable));
    return map;
  }

  private boolean stillShort(int n, boolean untilRecoverable) {
    return reachable.size() < n || untilRecoverable && selection().best().isEmpty();
  }

  /** Connects the next {@code count} servers of the ring not asked yet (for placement). */
  void connectMore(ServerPool pool, int count, Duration timeout) {
    List<NodeId> more = new ArrayList<>();
    for (NodeId id : ring) {
      if (more.size() == count) {
        break;
      }
      if (!reachable.containsKey(id) && !problems.containsKey(id)) {
        more.add(id);
      }
    }
    ask(pool, more, null, timeout, 0);
  }

  VersionSelector.Selection selection() {
    if (selection == null) {
      List<VersionSelector.Observation> seen = new ArrayList<>();
      for (Found f : found) {
        seen.add(new VersionSelector.Observation(f.server().toString(), f.number(),
            f.share().header()));
      }
      selection = VersionSelector.select(seen);
    }
    return selection;
  }

  /**
   * The recoverable versions at the highest seqnum that has one, leaving out {@code ignored}
   * (a writer's own versions that lost a collision); empty if none is recoverable.
   */
  List<VersionId> newestRecoverable(Set<VersionId> ignored) {
    Map<VersionId, Set<Integer>> numbers = numbersByVersion(ignored);
    long top = numbers.entrySet().stream().filter(e -> recoverable(e.getKey(), e.getValue()))
        .mapToLong(e -> e.getKey().seqnum()).max().orElse(-1);
    return numbers.entrySet().stream().filter(e -> e.getKey().seqnum() == top)
        .filter(e -> recoverable(e.getKey(), e.getValue())).map(Map.Entry::getKey).sorted()
        .toList();
  }

  /** Versions above {@code seqnum} with fewer than k share numbers seen, but {@code ignored}. */
  List<VersionId> newerUnrecoverable(long seqnum, Set<VersionId> ignored) {
    return numbersByVersion(ignored).entrySet().stream()
        .filter(e -> e.getKey().seqnum() > seqnum && !recoverable(e.getKey(), e.getValue()))
        .map(Map.Entry::getKey).sorted().toList();
  }

  private Map<VersionId, Set<Integer>> numbersByVersion(Set<VersionId> ignored) {
    Map<VersionId, Set<Integer>> numbers = new java.util.HashMap<>();
    for (Found f : found) {
      if (!ignored.contains(f.version())) {
        numbers.computeIfAbsent(f.version(), v -> new java.util.HashSet<>()).add(f.number());
      }
    }
    return numbers;
  }

  private boolean recoverable(VersionId version, Set<Integer> numbers) {
    return found.stream().filter(f -> f.version().equals(version)).findFirst()
        .map(f -> numbers.size() >= f.share().header().k()).orElse(false);
  }

  /** Highest seqnum of any authenticated share seen, -1 if none. */
  long highestSeqnum() {
    return found.stream().mapToLong(f -> f.version().seqnum()).max().orElse(-1);
  }

  /** The shares of {@code version}, one per share number first (ring order), then duplicates. */
  List<Found> of(VersionId version) {
    List<Found> mine = new ArrayList<>();
    List<Found> duplicates = new ArrayList<>();
    java.util.Set<Integer> numbers = new java.util.HashSet<>();
    for (Found f : found) {
      if (f.version().equals(version)) {
        (numbers.add(f.number()) ? mine : duplicates).add(f);
      }
    }
    mine.sort(Comparator.comparingInt(Found::number));
    mine.addAll(duplicates);
    return mine;
  }

  Optional<Found> anyShare() {
    return found.stream().findFirst();
  }

  /**
   * Connects {@code servers} and, with {@code n} above 0, reads what they hold. Readers still
   * silent after the connect grace are set aside as slow when n other servers remain (reachable
   * or not asked yet): the map reads on along the ring instead, and {@link #build} waits for
   * them only if the rest was not enough; otherwise they are waited for up to {@code timeout}.
   * Why: a server that connects and then answers late (a loaded disk, or one of many announced
   * fakes) held every map, so every directory change, for its delay.
   */
  private void ask(ServerPool pool, List<NodeId> servers, byte[] fingerprint, Duration timeout,
      int n) {
    Map<NodeId, CompletableFuture<StorageClient>> connecting = new LinkedHashMap<>();
    for (NodeId id : servers) {
      connecting.put(id, pool.connect(id));
    }
    // a connection already open answers at once; one still opening after the grace is left
    Duration wait = grace;
    long deadline = System.nanoTime() + wait.toNanos();
    Map<NodeId, CompletableFuture<List<Response.SlotShare>>> reading = new LinkedHashMap<>();
    connecting.forEach((id, f) -> {
      try {
        StorageClient client = Await.until(f, deadline, wait, "connecting");
        reachable.put(id, client);
        clients.put(id, client);
        if (n > 0) {
          reading.put(id, client.readSlot(index, Set.of(), 0, FRONT));
        }
      } catch (IOException e) {
        problems.put(id, "not reachable: " + e.getMessage());
      }
    });
    long answered = System.nanoTime() + wait.toNanos();
    Map<NodeId, CompletableFuture<List<Response.SlotShare>>> late = new LinkedHashMap<>();
    reading.forEach((id, f) -> {
      if (Await.settle(f, answered)) {
        collect(id, f, fingerprint, timeout);
      } else {
        late.put(id, f);
      }
    });
    if (!late.isEmpty() && couldStillTake(late.keySet()) >= n) {
      late.forEach((id, f) -> {
        reachable.remove(id);
        slow.put(id, f);
      });
    } else {
      late.forEach((id, f) -> collect(id, f, fingerprint, timeout));
    }
    selection = null;
  }

  /**
   * Adds what the slow readers set aside have answered by now; with {@code onlyDone}, the
   * others are left out (listed in problems, their requests cancelled), else waited for.
   */
  private void collectSlow(byte[] fingerprint, Duration timeout, boolean onlyDone) {
    long deadline = System.nanoTime() + timeout.toNanos();
    slow.forEach((id, f) -> {
      if (!onlyDone) {
        Await.settle(f, deadline); // one deadline for all, not a timeout each
      }
      if (f.isDone() || !onlyDone) {
        reachable.put(id, clients.get(id));
        collect(id, f, fingerprint, timeout);
      } else {
        f.cancel(false);
        problems.put(id, GridConfig.slowProblem(grace));
      }
    });
    slow.clear();
    selection = null;
  }

  private void collect(NodeId id, CompletableFuture<List<Response.SlotShare>> f,
      byte[] fingerprint, Duration timeout) {
    try {
      List<Response.SlotShare> shares;
      try {
        shares = Await.get(f, timeout, "reading slot shares");
      } catch (RemoteException e) {
        if (e.code() != ErrorCode.BAD_REQUEST) {
          throw e;
        }
        shares = Await.get(reachable.get(id).readSlot(index, Set.of(), 0, SMALL_FRONT),
            timeout, "reading slot shares");
      }
      for (Response.SlotShare s : shares) {
        accept(id, reachable.get(id), s, fingerprint);
      }
    } catch (IOException e) {
      reachable.remove(id);
      problems.put(id, "reading the slot failed: " + e.getMessage());
    }
  }

  /** How long a batch waits for connections, and for answers when others answered. */
  Duration grace() {
    return grace;
  }

  /** Servers that could still take shares without {@code without}: reachable, and untried. */
  int couldStillTake(Set<NodeId> without) {
    int count = ring.size() - reachable.size() - problems.size() - slow.size();
    for (NodeId id : reachable.keySet()) {
      if (!without.contains(id)) {
        count++;
      }
    }
    return count;
  }

  private void accept(NodeId id, StorageClient client, Response.SlotShare s, byte[] fingerprint) {
    byte[] data = s.data();
    try {
      MutableShare share = MutableShare.parsePrefix(data);
      signatures.authenticate(share, fingerprint);
      if (share.shareNumber() != s.share()) {
        throw new MutableIntegrityException("stored as share " + s.share() + " but says it is "
            + share.shareNumber());
      }
      found.add(new Found(id, client, share, data));
    } catch (MutableShareFormatException | MutableIntegrityException e) {
      log.warn("ignoring share {} of slot {} on {}: {}", s.share(), index, id.shortForm(),
          e.getMessage());
    }
  }
}
