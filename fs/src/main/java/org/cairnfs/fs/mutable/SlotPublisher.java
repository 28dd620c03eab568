package org.cairnfs.fs.mutable;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.mutable.MutableFileWriter;
import org.cairnfs.caps.mutable.MutableKeys;
import org.cairnfs.caps.mutable.SignedHeader;
import org.cairnfs.fs.grid.Activity;
import org.cairnfs.fs.grid.Await;
import org.cairnfs.fs.grid.ClientSecrets;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.grid.Happiness;
import org.cairnfs.fs.grid.HappinessException;
import org.cairnfs.fs.grid.ServerPool;
import org.cairnfs.protocol.client.RemoteException;
import org.cairnfs.protocol.client.ServerFullException;
import org.cairnfs.protocol.client.ShareTooBigException;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.WireLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one new version of a slot: encodes it (in memory; mutable files are small), writes
 * each share where the {@link SlotMap} found that share number (replacing the old version
 * there) and the share numbers found nowhere on servers holding nothing of the slot yet, in ring
 * order, then on the least loaded. Every chunk carries this client's lease secrets for that
 * server. All shares go out at once, pipelined; a server that fails gets its shares moved to
 * a server that has not taken that share in this publish. A REJECTED answer then means the
 * server holds a version at least as new: another writer got there first, which the caller
 * resolves by re-reading.
 */
final class SlotPublisher {
  private static final Logger log = LoggerFactory.getLogger(SlotPublisher.class);

  /** What a publish achieved. */
  record Outcome(SignedHeader header, Map<Integer, List<NodeId>> placement, int happiness,
      boolean rejected) {}

  private final ServerPool pool;
  private final ClientSecrets secrets;
  private final Duration timeout;
  private final SecureRandom random;
  private final Activity writes;

  SlotPublisher(ServerPool pool, ClientSecrets secrets, Duration timeout, SecureRandom random,
      Activity writes) {
    this.writes = writes;
    this.pool = pool;
    this.secrets = secrets;
    this.timeout = timeout;
    this.random = random;
  }

  /** Publishes {@code contents} as {@code seqnum}, encoded and placed as {@code options} say. */
  Outcome publish(SlotMap map, MutableKeys keys, long seqnum, byte[] contents,
      MutableOptions options) throws IOException {
    writes.begin();
    try {
      return publishCounted(map, keys, seqnum, contents, options);
    } finally {
      writes.end();
    }
  }

  private Outcome publishCounted(SlotMap map, MutableKeys keys, long seqnum, byte[] contents,
      MutableOptions options) throws IOException {
    int n = options.params().n();
    byte[][] shares = MutableFileWriter.write(keys, seqnum, contents, options.params(), random);
    SignedHeader header = org.cairnfs.caps.mutable.MutableShare.parse(shares[0]).header();
    Map<NodeId, Set<Integer>> plan = plan(map, n);
    Map<NodeId, Set<Integer>> done = new LinkedHashMap<>();
    Map<NodeId, String> problems = new LinkedHashMap<>();
    Set<NodeId> full = new HashSet<>();
    Set<NodeId> asked = new HashSet<>();
    boolean rejected = false;
    // three rounds of failures; a round that only set slow servers aside does not count (each
    // sets at least one aside, and only while n others remain, so the walk ends)
    for (int failed = 0; failed < 3 && !plan.isEmpty(); ) {
      Map<NodeId, Map<Integer, CompletableFuture<Void>>> writes = new LinkedHashMap<>();
      plan.forEach((id, numbers) -> {
        asked.add(id);
        for (int share : numbers) {
          writes.computeIfAbsent(id, x -> new TreeMap<>())
              .put(share, write(map.reachable.get(id), map, id, share, shares[share]));
        }
      });
      Set<Integer> homeless = new TreeSet<>();
      int slowShares = setAsideSlow(map, writes, n, problems, homeless);
      for (var server : writes.entrySet()) {
        NodeId id = server.getKey();
        for (var w : server.getValue().entrySet()) {
          try {
            Await.get(w.getValue(), timeout, "writing slot share " + w.getKey());
            done.computeIfAbsent(id, x -> new TreeSet<>()).add(w.getKey());
          } catch (RemoteException e) {
            if (e.code() == ErrorCode.REJECTED) {
              rejected = true;
            } else {
              if (e instanceof ServerFullException || e instanceof ShareTooBigException) {
                full.add(id);
              }
              problems.putIfAbsent(id, e.getMessage());
              homeless.add(w.getKey());
            }
          } catch (IOException e) {
            problems.putIfAbsent(id, e.getMessage());
            homeless.add(w.getKey());
          }
        }
      }
      if (slowShares == 0 || homeless.size() > slowShares) {
        failed++;
      }
      if (!homeless.isEmpty()) {
        map.connectMore(pool, homeless.size(), timeout);
      }
      plan = replace(map, homeless, done, problems.keySet());
    }
    Map<Integer, List<NodeId>> placement = new TreeMap<>();
    done.forEach((id, numbers) -> numbers.forEach(
        share -> placement.computeIfAbsent(share, s -> new ArrayList<>()).add(id)));
    int happiness = Happiness.of(done);
    if (!rejected && happiness < options.happy()) {
      Map<String, String> named = new LinkedHashMap<>();
      problems.forEach((id, why) -> named.put(pool.describe(id), why));
      throw new HappinessException(map.index, happiness, options.happy(), map.ring.size(),
          map.reachable.size(), asked.size(), done.size(), full.size(), named,
          "The new version (seqnum " + seqnum + ") reached only those servers: readers may "
              + "see it or the previous one until a later publish reaches happiness.");
    }
    if (placement.size() < n && !rejected) {
      Set<Integer> nowhere = new TreeSet<>();
      for (int i = 0; i < n; i++) {
        if (!placement.containsKey(i)) {
          nowhere.add(i);
        }
      }
      log.warn("slot {}: seqnum {} reached happiness {} but shares {} are on no server ({})",
          map.index, seqnum, happiness, nowhere, problems.isEmpty() ? "no server left to try"
              : problems.values());
    }
    return new Outcome(header, placement, happiness, rejected);
  }

  /**
   * Waits up to the connect grace for a round's writes; returns how many shares it made
   * homeless. Servers with writes still unanswered then are set aside as slow (their unanswered
   * writes cancelled and their shares homeless; answered ones left in {@code writes} for the
   * caller, a REJECTED among them being a collision) when n other servers remain reachable or
   * untried; otherwise the caller waits for them up to the timeout. Why: see {@link SlotMap}'s
   * slow readers; servers that answered a map in time can still be slow to write.
   */
  private int setAsideSlow(SlotMap map, Map<NodeId, Map<Integer, CompletableFuture<Void>>> writes,
      int n, Map<NodeId, String> problems, Set<Integer> homeless) {
    Duration grace = map.grace();
    long deadline = System.nanoTime() + grace.toNanos();
    Set<NodeId> late = new HashSet<>();
    writes.forEach((id, shares) -> shares.values().forEach(f -> {
      if (!Await.settle(f, deadline)) {
        late.add(id);
      }
    }));
    Set<NodeId> without = new HashSet<>(late);
    without.addAll(problems.keySet());
    if (late.isEmpty() || map.couldStillTake(without) < n) {
      return 0;
    }
    int before = homeless.size();
    for (NodeId id : late) {
      writes.get(id).entrySet().removeIf(w -> {
        if (w.getValue().isDone()) {
          return false;
        }
        w.getValue().cancel(false);
        homeless.add(w.getKey());
        return true;
      });
      problems.putIfAbsent(id, GridConfig.slowProblem(grace));
    }
    return homeless.size() - before;
  }

  /** Sends every chunk of one share at once (the server takes them in order). */
  private CompletableFuture<Void> write(StorageClient client, SlotMap map, NodeId server,
      int share, byte[] bytes) {
    byte[] renew = secrets.renewSecret(map.index, server);
    byte[] cancel = secrets.cancelSecret(map.index, server);
    CompletableFuture<Void> last = null;
    List<CompletableFuture<Void>> all = new ArrayList<>();
    int at = 0;
    do {
      int length = Math.min(WireLimits.MAX_CHUNK, bytes.length - at);
      last = client.writeSlotShare(map.index, share, renew, cancel, bytes.length, at,
          java.util.Arrays.copyOfRange(bytes, at, at + length));
      all.add(last);
      at += length;
    } while (at < bytes.length);
    // The first failure wins: answers come in order, so a REJECTED (on the chunk where the
    // server's check decides) comes before the NOT_FOUND of the chunks after it.
    CompletableFuture<Void> result = new CompletableFuture<>();
    for (CompletableFuture<Void> f : all) {
      f.whenComplete((ok, e) -> {
        if (e != null) {
          result.completeExceptionally(e);
        }
      });
    }
    last.whenComplete((ok, e) -> {
      if (e == null) {
        result.complete(null);
      }
    });
    return result;
  }

  /**
   * Where each share goes: to every server holding that share number now; numbers held nowhere
   * to reachable servers holding nothing of the slot, in ring order, then the least loaded.
   */
  private static Map<NodeId, Set<Integer>> plan(SlotMap map, int n) {
    Map<NodeId, Set<Integer>> plan = new LinkedHashMap<>();
    Set<Integer> placed = new HashSet<>();
    for (SlotMap.Found f : map.found) {
      if (f.number() < n && map.reachable.containsKey(f.server())) {
        plan.computeIfAbsent(f.server(), x -> new TreeSet<>()).add(f.number());
        placed.add(f.number());
      }
    }
    Set<Integer> missing = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      if (!placed.contains(i)) {
        missing.add(i);
      }
    }
    return assign(map, missing, plan, Set.of(), new HashMap<>(), Map.of());
  }

  /**
   * Servers for the shares a round left homeless, never one that already took that share in
   * this publish: a share held twice (a write that timed out and landed after all) is written
   * to both holders, and when one fails the other must not be asked again, as it would refuse
   * its own version (STALE_SEQNUM), which reads as another writer's collision.
   */
  private static Map<NodeId, Set<Integer>> replace(SlotMap map, Set<Integer> homeless,
      Map<NodeId, Set<Integer>> done, Set<NodeId> failed) {
    Map<NodeId, Set<Integer>> plan = new LinkedHashMap<>();
    if (homeless.isEmpty()) {
      return plan;
    }
    Map<NodeId, Integer> load = new HashMap<>();
    done.forEach((id, s) -> load.put(id, s.size()));
    return assign(map, homeless, plan, failed, load, done);
  }

  /**
   * Adds {@code shares} to {@code plan}, least loaded reachable server first, ring order,
   * skipping a server for a share it already holds in {@code plan} or {@code took}.
   */
  private static Map<NodeId, Set<Integer>> assign(SlotMap map, Set<Integer> shares,
      Map<NodeId, Set<Integer>> plan, Set<NodeId> excluded, Map<NodeId, Integer> load,
      Map<NodeId, Set<Integer>> took) {
    List<NodeId> usable = new ArrayList<>();
    for (NodeId id : map.ring) {
      if (map.reachable.containsKey(id) && !excluded.contains(id)) {
        usable.add(id);
        load.merge(id, plan.getOrDefault(id, Set.of()).size(), Integer::sum);
      }
    }
    for (int share : shares) {
      NodeId best = null;
      for (NodeId id : usable) {
        if (plan.getOrDefault(id, Set.of()).contains(share)
            || took.getOrDefault(id, Set.of()).contains(share)) {
          continue;
        }
        if (best == null || load.get(id) < load.get(best)) {
          best = id;
        }
      }
      if (best != null) {
        plan.computeIfAbsent(best, x -> new TreeSet<>()).add(share);
        load.merge(best, 1, Integer::sum);
      }
    }
    return plan;
  }
}
