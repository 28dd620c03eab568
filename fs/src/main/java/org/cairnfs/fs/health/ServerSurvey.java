package org.cairnfs.fs.health;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.fs.grid.Await;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.PermutedRing;
import org.cairnfs.fs.grid.ServerPool;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeId;

/**
 * Asks every known server, all at once, one question about one storage index, and keeps the
 * answers in permuted-ring order. A checker asks them all (a reader stops at k): shares may sit
 * anywhere after servers came and went, and a share not found is reported missing. So the
 * servers that failed are asked once more when that could now succeed, as a read that came up
 * short does ({@link ServerPool#retryForRead}): right after an outage, a server this client still
 * backs off from would otherwise count as holding nothing, and a repair would place its shares
 * again.
 *
 * @param <T> the answer type
 */
final class ServerSurvey<T> {
  /** Servers in ring order for the storage index. */
  final List<NodeId> ring;
  /** Servers that answered, ring order, with their connection. */
  final Map<NodeId, StorageClient> clients = new LinkedHashMap<>();
  /** Their answers, ring order. */
  final Map<NodeId, T> answers = new LinkedHashMap<>();
  /** Servers that did not answer, and why. */
  final Map<NodeId, String> problems = new LinkedHashMap<>();

  private ServerSurvey(List<NodeId> ring) {
    this.ring = ring;
  }

  /** Asks every server of {@code pool} {@code question}, waiting at most {@code timeout} each. */
  static <T> ServerSurvey<T> ask(ServerPool pool, StorageIndex index, Duration timeout,
      Function<StorageClient, CompletableFuture<T>> question) {
    long started = System.nanoTime();
    List<NodeId> ring = PermutedRing.order(index, pool.serverIds());
    ServerSurvey<T> survey = new ServerSurvey<>(ring);
    survey.askEach(pool, ring, timeout, question);
    if (!survey.problems.isEmpty()) {
      Set<NodeId> again = pool.retryForRead(survey.problems.keySet(), started);
      if (!again.isEmpty()) {
        survey.askEach(pool, ring.stream().filter(again::contains).toList(), timeout, question);
        survey.inRingOrder();
      }
    }
    return survey;
  }

  private void askEach(ServerPool pool, List<NodeId> servers, Duration timeout,
      Function<StorageClient, CompletableFuture<T>> question) {
    Map<NodeId, CompletableFuture<StorageClient>> connecting = new LinkedHashMap<>();
    for (NodeId id : servers) {
      connecting.put(id, pool.connect(id));
    }
    Map<NodeId, CompletableFuture<T>> asking = new LinkedHashMap<>();
    connecting.forEach((id, f) -> {
      try {
        StorageClient client = Await.get(f, timeout, "connecting to " + pool.describe(id));
        clients.put(id, client);
        asking.put(id, question.apply(client));
      } catch (IOException e) {
        problems.put(id, "not reachable: " + e.getMessage());
      }
    });
    asking.forEach((id, f) -> {
      try {
        answers.put(id, Await.get(f, timeout, "asking " + pool.describe(id)));
        problems.remove(id);
      } catch (IOException e) {
        clients.remove(id);
        problems.put(id, "did not answer: " + e.getMessage());
      }
    });
  }

  /** Puts the answers of a second asking back in ring order. */
  private void inRingOrder() {
    Map<NodeId, StorageClient> c = new LinkedHashMap<>(clients);
    Map<NodeId, T> a = new LinkedHashMap<>(answers);
    clients.clear();
    answers.clear();
    for (NodeId id : ring) {
      if (c.containsKey(id)) {
        clients.put(id, c.get(id));
      }
      if (a.containsKey(id)) {
        answers.put(id, a.get(id));
      }
    }
  }

  /**
   * Adds (or renews) the lease of {@code grid}'s client on every server of {@code survey} that
   * answered with at least one share; returns how many took it, noting the others.
   */
  static int addLeases(GridClient grid, StorageIndex index,
      ServerSurvey<? extends List<?>> survey, List<String> notes) {
    Map<NodeId, CompletableFuture<Void>> leasing = new LinkedHashMap<>();
    survey.answers.forEach((id, shares) -> {
      if (!shares.isEmpty()) {
        leasing.put(id, survey.clients.get(id).addLease(index,
            grid.secrets().renewSecret(index, id), grid.secrets().cancelSecret(index, id)));
      }
    });
    int done = 0;
    for (Map.Entry<NodeId, CompletableFuture<Void>> e : leasing.entrySet()) {
      try {
        Await.get(e.getValue(), grid.config().readTimeout(), "adding a lease");
        done++;
      } catch (IOException failed) {
        notes.add("lease not renewed on " + grid.servers().describe(e.getKey()) + ": "
            + failed.getMessage());
      }
    }
    return done;
  }
}
