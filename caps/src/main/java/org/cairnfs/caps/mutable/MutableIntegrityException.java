package org.cairnfs.caps.mutable;

import java.util.Map;
import java.util.TreeMap;

/**
 * A mutable version cannot be trusted or recovered: a signature, hash or key check failed, or
 * fewer than k good shares remain. {@link #badShares()} names each dropped share and why, so
 * callers can report the servers that lied and fetch more shares.
 */
public final class MutableIntegrityException extends RuntimeException {
  private final Map<Integer, String> badShares;

  public MutableIntegrityException(String message) {
    this(message, Map.of());
  }

  public MutableIntegrityException(String message, Map<Integer, String> badShares) {
    super(badShares.isEmpty() ? message : message + "; dropped shares " + badShares);
    this.badShares = Map.copyOf(new TreeMap<>(badShares));
  }

  /** Share number to the reason it was dropped (empty when no share was to blame). */
  public Map<Integer, String> badShares() {
    return new TreeMap<>(badShares);
  }
}
