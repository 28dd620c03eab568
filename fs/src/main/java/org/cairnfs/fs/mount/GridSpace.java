package org.cairnfs.fs.mount;

/**
 * The grid's space as statfs shows it, in bytes of file data (share bytes divided by n/k).
 *
 * @param total what the servers offer in all
 * @param free what they can still take
 */
public record GridSpace(long total, long free) {
  public GridSpace {
    if (total < 0 || free < 0) {
      throw new IllegalArgumentException("space must not be negative: total " + total
          + ", free " + free);
    }
  }
}
