package org.cairnfs.protocol.server;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WriteChunk;

/**
 * The requests of one connection that wait to run, and which of them may start now.
 *
 * <p>Why: one connection's requests for different storage indexes may overlap on the backend
 * (so closes of many small files share a group commit), while the requests for one index run
 * one at a time in arrival order (a CLOSE_SHARE after its WRITE_CHUNKs, a slot's chunks in
 * order). A request naming no storage index (ping, server info, publish, subscribe) and a
 * refusal (the error answering a malformed frame) run alone: after everything received before
 * them has finished and before anything received after them starts. At most
 * {@code maxRunning} run at once.
 *
 * <p>A close whose backend call returned while its commit goes on ({@link #returned}) gives
 * back its running place, so that more closes join the commit and other requests do not wait
 * behind it, but keeps its index until it is answered ({@link #finished}): the next request of
 * that index (a read of the share, say) still sees the close done, and a request running alone
 * still starts after it. Such closes are bounded by the connection's in-flight limit (reading
 * stops at it) and, in the storage server, by the open-write caps they still count in. Event
 * loop only.
 */
final class RequestOrder {
  /**
   * A received request waiting to run, with the bytes its frame holds; or (request null) a
   * refusal already decided, queued so it is answered in turn and under the same rules.
   * Compared by identity: a peer may repeat request ids.
   */
  static final class Queued {
    final long id;
    final Request request;
    final int frameBytes;
    final Response refusal;
    /** The index whose requests this one is ordered with; null: runs alone. */
    final StorageIndex key;
    /** Its backend call returned and it gave back its running place; it waits for its answer. */
    private boolean returned;

    Queued(long id, Request request, int frameBytes, Response refusal) {
      this.id = id;
      this.request = request;
      this.frameBytes = frameBytes;
      this.refusal = refusal;
      this.key = request == null ? null : keyOf(request);
    }

    static Queued refusal(long id, ErrorCode code, String message) {
      return new Queued(id, null, 0, new Response.Error(code, message));
    }

    String what() {
      return request != null ? request.type().toString() : "refusal";
    }
  }

  private final int maxRunning;
  private final ArrayDeque<Queued> waiting = new ArrayDeque<>();
  private final Set<StorageIndex> runningKeys = new HashSet<>();
  private int running;
  /** Started requests that gave back their running place and are not answered yet. */
  private int completing;
  private boolean aloneRunning;
  private long runningBytes;

  RequestOrder(int maxRunning) {
    if (maxRunning < 1) {
      throw new IllegalArgumentException("at least one request must be able to run, got "
          + maxRunning);
    }
    this.maxRunning = maxRunning;
  }

  /** The storage index {@code request} is ordered by, or null for one that runs alone. */
  static StorageIndex keyOf(Request request) {
    if (request instanceof Request.GetShareNumbers r) {
      return r.index();
    } else if (request instanceof Request.Allocate r) {
      return r.index();
    } else if (request instanceof WriteChunk r) {
      return r.index();
    } else if (request instanceof Request.CloseShare r) {
      return r.index();
    } else if (request instanceof Request.AbortShare r) {
      return r.index();
    } else if (request instanceof Request.ReadRange r) {
      return r.index();
    } else if (request instanceof Request.ListShares r) {
      return r.index();
    } else if (request instanceof Request.ReadSlot r) {
      return r.index();
    } else if (request instanceof Request.WriteSlotShare r) {
      return r.index();
    } else if (request instanceof Request.AddLease r) {
      return r.index();
    } else if (request instanceof Request.RenewLease r) {
      return r.index();
    }
    return null; // ping, server info, publish, subscribe, and any type added later
  }

  void add(Queued q) {
    waiting.add(q);
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }

  /**
   * The earliest waiting request that may start now, or null: fewer than the maximum run, no
   * request running alone, and nothing of its index running or waiting before it. Does not
   * remove it ({@link #started} does).
   */
  Queued next() {
    if (running >= maxRunning || aloneRunning) {
      return null;
    }
    Set<StorageIndex> passed = null;
    boolean first = true;
    for (Queued q : waiting) {
      if (q.key == null) {
        // nothing after it may overtake it, and it waits for every earlier one's answer
        return first && running == 0 && completing == 0 ? q : null;
      }
      if (!runningKeys.contains(q.key) && (passed == null || !passed.contains(q.key))) {
        return q;
      }
      if (passed == null) {
        passed = new HashSet<>();
      }
      passed.add(q.key);
      first = false;
    }
    return null;
  }

  /** {@code q}, returned by {@link #next}, now runs. */
  void started(Queued q) {
    for (Iterator<Queued> it = waiting.iterator(); it.hasNext(); ) {
      if (it.next() == q) {
        it.remove();
        break;
      }
    }
    running++;
    runningBytes += q.frameBytes;
    if (q.key == null) {
      aloneRunning = true;
    } else {
      runningKeys.add(q.key);
    }
  }

  /**
   * {@code q}, started earlier and naming an index, gave back its running place and waits for
   * its answer (a close waiting for its commit); its index stays taken until {@link #finished}.
   */
  void returned(Queued q) {
    if (q.key == null || q.returned) {
      throw new IllegalStateException("only a running request of an index can return early");
    }
    q.returned = true;
    running--;
    completing++;
  }

  /** {@code q}, started earlier, has run (and, if it {@link #returned} early, is answered). */
  void finished(Queued q) {
    if (q.returned) {
      completing--;
    } else {
      running--;
    }
    runningBytes -= q.frameBytes;
    if (q.key == null) {
      aloneRunning = false;
    } else {
      runningKeys.remove(q.key);
    }
  }

  /** Whether any started request is not finished yet (running or waiting for its answer). */
  boolean busy() {
    return running + completing > 0;
  }

  /** Frame bytes of the started requests not finished yet. */
  long runningBytes() {
    return runningBytes;
  }

  /** Forgets every waiting request (the connection closed); running ones still finish. */
  void dropWaiting() {
    waiting.clear();
  }
}
