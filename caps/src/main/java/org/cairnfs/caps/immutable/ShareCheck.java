package org.cairnfs.caps.immutable;

import java.util.Map;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.share.ShareSource;

/**
 * Checks one immutable share that someone else stores against a cap, without the read key.
 *
 * <p>Why: a storage server cannot tell a genuine immutable share from garbage (it holds no cap),
 * so its "already held" answer to an allocation is a claim, not proof: anyone who learned the
 * storage index may have uploaded that share number first. An uploader must not count such a
 * share toward happiness, nor a checker call a file healthy, until the share checks out against
 * the cap; otherwise it uploads that share elsewhere.
 *
 * <p>{@link #checkFront} reads the share's front (header, extension block, share hash chain)
 * and its block tree root, two small reads, and proves the share is share {@code number} of
 * this very file (extension block hash equals the cap's; chain leads to its share tree root).
 * (The same class on branch harden-a also has {@code checkAll}, which proves every block; this
 * copy carries only what the grid client's upload needs, so the two merge by taking harden-a's.)
 */
public final class ShareCheck {
  private ShareCheck() {}

  /**
   * Checks that {@code share} is share {@code number} of the file {@code cap} names: its
   * extension block hashes to the cap's, parameters and size agree, offsets are the layout's,
   * and its share hash chain proves its block tree root. Does not read blocks.
   *
   * @return the verified layout (compare {@link ShareLayout#shareLength()} with the size the
   *     server reports)
   * @throws IntegrityException naming share {@code number} and the reason
   */
  public static ShareLayout checkFront(ImmutableVerifyCap cap, int number, ShareSource share)
      throws IntegrityException {
    return open(cap, number, share).layout();
  }

  private static VerifiedShare open(ImmutableVerifyCap cap, int number, ShareSource share)
      throws IntegrityException {
    if (number < 0 || number >= cap.n()) {
      throw bad(number, "share number is not below n=" + cap.n());
    }
    try {
      return VerifiedShare.open(number, share, cap.extensionHash(), cap.k(), cap.n(),
          cap.size());
    } catch (VerifiedShare.BadShareException e) {
      throw bad(number, e.getMessage());
    }
  }

  private static IntegrityException bad(int number, String reason) {
    return new IntegrityException("share " + number + " does not check out against its cap",
        Map.of(number, reason));
  }
}
