package org.cairnfs.fs.grid;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Arrays of one size kept for reuse once their last reader is done: the runs {@link
 * WriteCoalescer} sends (given back when the server answered the write) and the chunk buffers
 * an upload encodes from (given back when the chunk is stored). Why: an upload of a file makes
 * n/k + 1 bytes of such arrays per byte, and new ones were most of the client's garbage (the
 * collector copying them while in flight, the JVM zeroing them, and chunk buffers large enough
 * to be G1 humongous objects starting concurrent cycles). Arrays are given back only after
 * success; one whose use failed is left to the collector, so a mistake loses memory, never
 * bytes. Thread-safe; at most {@link #keep} arrays (about 16 MiB, at most 64) per size.
 */
public final class ReusedArrays {
  private static final long KEPT_BYTES = 16L << 20;
  private static final Map<Integer, ReusedArrays> BY_SIZE = new ConcurrentHashMap<>();

  private final int size;
  private final int keep;
  private final ConcurrentLinkedQueue<byte[]> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger kept = new AtomicInteger();

  private ReusedArrays(int size) {
    this.size = size;
    this.keep = (int) Math.max(2, Math.min(64, KEPT_BYTES / Math.max(1, size)));
  }

  /** The arrays of {@code size} bytes (one set per size, shared by every upload). */
  public static ReusedArrays of(int size) {
    return BY_SIZE.computeIfAbsent(size, ReusedArrays::new);
  }

  /** How many arrays are kept at most. */
  int keep() {
    return keep;
  }

  /** A kept array (its old bytes still in it) or a new one. */
  public byte[] take() {
    byte[] a = free.poll();
    if (a == null) {
      return new byte[size];
    }
    kept.decrementAndGet();
    return a;
  }

  /** Keeps {@code a} for a later {@link #take} if it is of this size and room is left. */
  public void giveBack(byte[] a) {
    if (a.length != size) {
      return;
    }
    if (kept.incrementAndGet() > keep) {
      kept.decrementAndGet();
      return;
    }
    free.offer(a);
  }

  /** Arrays kept now (tests). */
  int kept() {
    return kept.get();
  }
}
