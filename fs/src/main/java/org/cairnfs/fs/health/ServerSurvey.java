package org.cairnfs.fs.health;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * anywhere after servers came and went, and a share not found is reported missing.
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
    ServerSurvey<T> survey = new ServerSurvey<>(PermutedRing.order(index, pool.serverIds()));
    Map<NodeId, CompletableFuture<StorageClient>> connecting = new LinkedHashMap<>();
    for (NodeId id : survey.ring) {
      connecting.put(id, pool.connect(id));
    }
    Map<NodeId, CompletableFuture<T>> asking = new LinkedHashMap<>();
    connecting.forEach((id, f) -> {
      try {
        StorageClient client = Await.get(f, timeout, "connecting to " + pool.describe(id));
        survey.clients.put(id, client);
        asking.put(id, question.apply(client));
      } catch (IOException e) {
        survey.problems.put(id, "not reachable: " + e.getMessage());
      }
    });
    asking.forEach((id, f) -> {
      try {
        survey.answers.put(id, Await.get(f, timeout, "asking " + pool.describe(id)));
      } catch (IOException e) {
        survey.clients.remove(id);
        survey.problems.put(id, "did not answer: " + e.getMessage());
      }
    });
    return survey;
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
