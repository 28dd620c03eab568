package org.cairnfs.fs.dirs;

import org.cairnfs.caps.dirnode.PageCodec;

/**
 * When a directory pages and how big its pages grow.
 *
 * <p>Defaults: pages of up to 16 KiB (about 70 typical entries), so a change to a directory of
 * 100 000 entries rewrites one leaf and one inner page (about 25 KB) plus the root, about what
 * rewriting a whole flat directory of 100 entries costs. A flat directory pages when its
 * plaintext passes 32 KiB and a paged one with one level of pages goes flat again below 8 KiB,
 * so a directory near the threshold does not flip on every change. A page under 4 KiB is merged
 * with a neighbour.
 *
 * @param maxPageBytes target size of pages and of the paged root; a page holding a single
 *     entry larger than this is allowed (up to {@link PageCodec#MAX_PAGE_BYTES})
 * @param flatMaxBytes a flat directory larger than this becomes paged
 * @param flatMinBytes a paged directory whose leaf pages all sit under the root and whose
 *     entries take at most this many bytes becomes flat
 * @param minFillBytes a page smaller than this is merged with (or evened against) a neighbour
 */
public record PagingPolicy(int maxPageBytes, int flatMaxBytes, int flatMinBytes,
    int minFillBytes) {
  public static final PagingPolicy DEFAULT = builder().build();

  public PagingPolicy {
    if (maxPageBytes < 512 || maxPageBytes > PageCodec.MAX_PAGE_BYTES) {
      throw new IllegalArgumentException("max page bytes must be in [512, "
          + PageCodec.MAX_PAGE_BYTES + "], got " + maxPageBytes);
    }
    if (flatMaxBytes < maxPageBytes || flatMaxBytes > PageCodec.MAX_PAGE_BYTES) {
      throw new IllegalArgumentException("flat max bytes must be in [max page bytes "
          + maxPageBytes + ", " + PageCodec.MAX_PAGE_BYTES + "], got " + flatMaxBytes);
    }
    if (flatMinBytes < 0 || flatMinBytes > flatMaxBytes / 2) {
      throw new IllegalArgumentException("flat min bytes must be in [0, flat max / 2 = "
          + flatMaxBytes / 2 + "], got " + flatMinBytes);
    }
    if (minFillBytes < 0 || minFillBytes > maxPageBytes / 2) {
      throw new IllegalArgumentException("min fill bytes must be in [0, max page / 2 = "
          + maxPageBytes / 2 + "], got " + minFillBytes);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder whose setters take effect at {@link #build()}, which checks the combination. */
  public static final class Builder {
    private int maxPageBytes = 16 * 1024;
    private int flatMaxBytes = 32 * 1024;
    private int flatMinBytes = 8 * 1024;
    private int minFillBytes = 4 * 1024;

    private Builder() {}

    public Builder maxPageBytes(int v) {
      maxPageBytes = v;
      return this;
    }

    public Builder flatMaxBytes(int v) {
      flatMaxBytes = v;
      return this;
    }

    public Builder flatMinBytes(int v) {
      flatMinBytes = v;
      return this;
    }

    public Builder minFillBytes(int v) {
      minFillBytes = v;
      return this;
    }

    public PagingPolicy build() {
      return new PagingPolicy(maxPageBytes, flatMaxBytes, flatMinBytes, minFillBytes);
    }
  }
}
