package org.cairnfs.fs.grid;

import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.IntegrityException;
import org.cairnfs.caps.immutable.ShareCheck;
import org.cairnfs.caps.immutable.ShareLayout;
import org.cairnfs.caps.share.ShareSource;
import org.cairnfs.protocol.client.StorageClient;

/**
 * Checks that a share a server says it "already holds" is a share of exactly this file before
 * an upload counts it (issue 10, finding 6: anyone who learns a storage index can plant a share
 * under it). Three reads sent together: the share's front (header, extension block, hash
 * chain), its block-tree root and its last byte; then {@link ShareCheck#checkFront} against the
 * cap's extension hash, and the share must end exactly where the verified layout ends it (one
 * cut short after a genuine front is not complete).
 *
 * <p>What it cannot see: a server (or a planter who copied a genuine front) holding garbage
 * blocks behind a genuine front. Readers detect such blocks one by one and verify/repair finds
 * them; checking them here would mean downloading the share.
 */
final class HeldShareCheck {
  private final int share;
  private final long rootOffset;
  private final CompletableFuture<byte[]> front;
  private final CompletableFuture<byte[]> root;
  private final CompletableFuture<byte[]> last;
  private final long length;

  /** Sends the two reads at once. */
  HeldShareCheck(StorageClient client, StorageIndex index, int share, ShareLayout layout) {
    this.share = share;
    this.rootOffset = layout.blockTreeNodeOffset(0);
    this.front = client.readRange(index, share, 0, (int) layout.prefixLength());
    this.root = client.readRange(index, share, rootOffset, 32);
    this.length = layout.shareLength();
    this.last = client.readRange(index, share, length - 1, 2);
  }

  /** Why the held share is not this file's, or empty when it is. */
  Optional<String> problem(ImmutableVerifyCap cap, Duration timeout) {
    byte[] frontBytes;
    byte[] rootBytes;
    byte[] lastBytes;
    try {
      frontBytes = Await.get(front, timeout, "reading held share " + share);
      rootBytes = Await.get(root, timeout, "reading held share " + share);
      lastBytes = Await.get(last, timeout, "reading held share " + share);
    } catch (IOException e) {
      return Optional.of("cannot read it: " + e.getMessage());
    }
    if (lastBytes.length != 1) {
      return Optional.of(lastBytes.length == 0 ? "it is shorter than " + length + " bytes"
          : "it is longer than " + length + " bytes");
    }
    ShareSource fetched = (offset, dst, off, len) -> {
      byte[] from = offset == 0 ? frontBytes : offset == rootOffset ? rootBytes : null;
      if (from == null || len > from.length) {
        throw new EOFException("share ends before " + (offset + len));
      }
      System.arraycopy(from, 0, dst, off, len);
    };
    try {
      ShareCheck.checkFront(cap, share, fetched);
      return Optional.empty();
    } catch (IntegrityException e) {
      return Optional.of(e.badShares().getOrDefault(share, e.getMessage()));
    }
  }
}
