package org.cairnfs.fs.gateway;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The gateway's own uploads and downloads, for the status page: every one running now and the
 * last {@link #RECENT} finished, with bytes done and rates. Labels are the names in the request
 * path, never caps. Memory is bounded: the running ones are bounded by the connection limit.
 */
final class TransferLog {
  static final int RECENT = 20;

  private final Set<Running> running = ConcurrentHashMap.newKeySet();
  private final Deque<NodeStatus.Transfer> recent = new ArrayDeque<>();
  private final LongSupplier nanos;

  TransferLog() {
    this(System::nanoTime);
  }

  TransferLog(LongSupplier nanos) {
    this.nanos = nanos;
  }

  /** Starts counting a transfer; close the handle when it ends, however it ends. */
  Running start(NodeStatus.Direction direction, String label, OptionalLong totalBytes) {
    Running r = new Running(direction, label, totalBytes);
    running.add(r);
    return r;
  }

  /** Running transfers (oldest first), then finished ones (newest first). */
  List<NodeStatus.Transfer> snapshot() {
    List<Running> now = new ArrayList<>(running);
    now.sort((a, b) -> Long.compare(a.startNanos, b.startNanos));
    List<NodeStatus.Transfer> out = new ArrayList<>();
    for (Running r : now) {
      out.add(r.view(true));
    }
    synchronized (recent) {
      out.addAll(recent);
    }
    return out;
  }

  /** The label for a request path: its names, or the given file name, never the cap. */
  static String label(UriPath path, String fileName) {
    if (!path.names().isEmpty()) {
      return String.join("/", path.names());
    }
    return fileName == null || fileName.isEmpty() ? "(a file by its cap)" : fileName;
  }

  /** One transfer under way: {@link #add} as bytes move, {@link #close} once. */
  final class Running implements AutoCloseable {
    private final NodeStatus.Direction direction;
    private final String label;
    private final OptionalLong total;
    private final Instant started = Instant.now();
    private final long startNanos = nanos.getAsLong();
    private final AtomicLong done = new AtomicLong();
    private volatile long endNanos = -1;

    private Running(NodeStatus.Direction direction, String label, OptionalLong total) {
      this.direction = direction;
      this.label = label;
      this.total = total;
    }

    void add(long bytes) {
      done.addAndGet(bytes);
    }

    /** Average rate since it started (until it ended, once it has). */
    private NodeStatus.Transfer view(boolean active) {
      long end = active ? nanos.getAsLong() : endNanos;
      double seconds = Math.max(end - startNanos, 1_000_000) / 1e9;
      long d = done.get();
      return new NodeStatus.Transfer(direction, label, d, total, d / seconds, active, started);
    }

    @Override
    public void close() {
      if (!running.remove(this)) {
        return;
      }
      endNanos = nanos.getAsLong();
      NodeStatus.Transfer finished = view(false);
      synchronized (recent) {
        recent.addFirst(finished);
        while (recent.size() > RECENT) {
          recent.removeLast();
        }
      }
    }
  }
}
