package org.cairnfs.storage.lease;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Who holds a lease: the client's node id as the transport authenticated it.
 *
 * <p>Space is charged to owners, so quotas can later be built on this id.
 */
public final class LeaseOwner {
  /** Longest accepted id; node ids are 32-byte hashes, the slack is for future id kinds. */
  public static final int MAX_LENGTH = 64;
  /**
   * Holder of the lease the server itself gives a share found on disk without a database record
   * when it starts (a crash between an upload's rename and its commit, or between a collection's
   * record removal and its file delete): it keeps the share one lease period, long enough for
   * its uploader to retry and add a real lease. Its id, the 15 ASCII bytes
   * {@code cairn-recovered}, cannot be a node id (those are 32 bytes).
   */
  public static final LeaseOwner RECOVERED =
      new LeaseOwner("cairn-recovered".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

  /**
   * Holder of the lease that keeps a share whose lease slots are all taken by other owners (see
   * {@link LeaseDb#recordShare}): an owner who finds no free slot renews this one lease instead,
   * so a share stays at least one lease period after any owner last asked for it, while nobody
   * can push another owner's lease out. Its id, the 14 ASCII bytes {@code cairn-overflow},
   * cannot be a node id.
   */
  public static final LeaseOwner OVERFLOW =
      new LeaseOwner("cairn-overflow".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

  private final byte[] id;

  private LeaseOwner(byte[] id) {
    this.id = id;
  }

  /** Wraps a copy of {@code id}, 1..64 bytes. */
  public static LeaseOwner of(byte[] id) {
    if (id.length == 0 || id.length > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "lease owner id must be 1.." + MAX_LENGTH + " bytes, got " + id.length);
    }
    return new LeaseOwner(id.clone());
  }

  public byte[] toBytes() {
    return id.clone();
  }

  int length() {
    return id.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LeaseOwner other && Arrays.equals(id, other.id);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(id);
  }

  @Override
  public String toString() {
    return HexFormat.of().formatHex(id);
  }
}
