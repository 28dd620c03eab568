package org.cairnfs.storage.lease;

/**
 * Changes applied but maybe not yet committed, and the bytes of share records they wrote:
 * what a server charges the client that asked (resource-limits.md, "Leases").
 */
public final class LeaseCommit {
  private final GroupCommit commits;
  /** Null: nothing to wait for. */
  private final GroupCommit.Batch batch;
  private final long recordBytes;

  LeaseCommit(GroupCommit commits, GroupCommit.Batch batch, long recordBytes) {
    this.commits = commits;
    this.batch = batch;
    this.recordBytes = recordBytes;
  }

  /**
   * Returns once the changes are committed (a change that changed nothing: once whatever was
   * applied before it is).
   *
   * @throws IllegalStateException when their commit failed (they are rolled back)
   */
  public void await() {
    if (batch != null) {
      commits.await(batch);
    }
  }

  /** Bytes of share records written; 0 when nothing changed. */
  public long recordBytes() {
    return recordBytes;
  }
}
