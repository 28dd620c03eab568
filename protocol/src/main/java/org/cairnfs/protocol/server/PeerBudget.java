package org.cairnfs.protocol.server;

import java.util.concurrent.Executor;

/**
 * One connection's view of a memory budget in two levels: its peer address's share, then the
 * server-wide budget. Bytes are taken from both (the address first, so a crowd from one
 * address queues among itself and not in front of everyone) and given back to both.
 */
final class PeerBudget {
  private final MemoryBudget address;
  private final MemoryBudget server;

  PeerBudget(MemoryBudget address, MemoryBudget server) {
    this.address = address;
    this.server = server;
  }

  /** Takes {@code bytes} from both levels past their maxima (see {@link MemoryBudget#force}). */
  void force(long bytes) {
    address.force(bytes);
    server.force(bytes);
  }

  /**
   * Takes {@code bytes} from both levels now (returns null) or waits: {@code granted} then runs
   * on {@code executor} once both were taken.
   */
  MemoryBudget.Wait takeOrWait(long bytes, Executor executor, Runnable granted) {
    Stages stages = new Stages(bytes, executor, granted);
    MemoryBudget.Wait first = address.takeOrWait(bytes, executor, stages::addressGrantedLater);
    if (first == null) {
      return stages.takeServer() ? null : stages;
    }
    stages.pending = first;
    return stages;
  }

  void release(long bytes) {
    server.release(bytes);
    address.release(bytes);
  }

  /** The wait for one grant, through whichever level it is at. Event loop only. */
  private final class Stages implements MemoryBudget.Wait {
    final long bytes;
    final Executor executor;
    final Runnable granted;
    MemoryBudget.Wait pending;
    boolean atServer;
    boolean cancelled;

    Stages(long bytes, Executor executor, Runnable granted) {
      this.bytes = bytes;
      this.executor = executor;
      this.granted = granted;
    }

    void addressGrantedLater() {
      if (takeServer()) {
        granted.run();
      }
    }

    /** Holding the address bytes, takes the server's; true when they were taken at once. */
    boolean takeServer() {
      pending = null;
      if (cancelled) {
        address.release(bytes);
        return false;
      }
      MemoryBudget.Wait second = server.takeOrWait(bytes, executor, () -> {
        pending = null;
        if (cancelled) {
          release(bytes);
        } else {
          granted.run();
        }
      });
      if (second == null) {
        return true;
      }
      pending = second;
      atServer = true;
      return false;
    }

    /**
     * Gives up; bytes granted meanwhile are given back here or by the grant callbacks (which
     * see {@code cancelled}), never handed on. Always true: nothing reaches the caller after.
     */
    @Override
    public boolean cancel() {
      cancelled = true;
      if (pending != null && pending.cancel()) {
        pending = null;
        if (atServer) {
          address.release(bytes);
        }
      }
      return true;
    }
  }
}
