package org.cairnfs.caps.mutable;

import java.util.Map;
import java.util.TreeMap;

/**
 * A mutable version cannot be trusted or recovered: a signature, hash or key check failed, or
 * fewer than k good shares remain. {@link #badSources()} names each dropped share source (by its
 * position in the caller's list) and why, so callers can report the servers that lied and
 * fetch more shares.
 */
public final class MutableIntegrityException extends RuntimeException {
  private final Map<Integer, String> badSources;

  public MutableIntegrityException(String message) {
    this(message, Map.of());
  }

  public MutableIntegrityException(String message, Map<Integer, String> badSources) {
    super(badSources.isEmpty() ? message
        : message + "; dropped " + new TreeMap<>(badSources));
    this.badSources = Map.copyOf(badSources);
  }

  /**
   * Index of each dropped source in the caller's list, to the reason (which names the share
   * number when it was readable); empty when no share was to blame.
   */
  public Map<Integer, String> badSources() {
    return new TreeMap<>(badSources);
  }
}
