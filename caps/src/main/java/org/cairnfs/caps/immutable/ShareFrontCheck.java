package org.cairnfs.caps.immutable;

import java.util.Optional;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.share.ShareSource;

/**
 * Checks the front of one stored immutable share against a verify cap, without its blocks: the
 * header names the share number and the layout the extension block implies, the extension block
 * hashes to the cap's, and the share hash chain leads from the share's block-tree root to the
 * share-tree root in that extension block.
 *
 * <p>Why: a server saying "already held" about a share is only a claim (another client may have
 * planted a share under the same storage index). A share whose front passes this check belongs
 * to exactly the file the cap names; its blocks can then only be wrong by damage, which a reader
 * detects block by block. Cost: reads of the prefix and one 32-byte tree node, a few hashes.
 */
public final class ShareFrontCheck {
  private ShareFrontCheck() {}

  /** Bytes of the share's front that the check reads first (header, extension, chain). */
  public static long prefixLength(int n) {
    return ShareLayout.prefixLength(n);
  }

  /**
   * Why share {@code shareNumber} read through {@code source} does not belong to the file of
   * {@code cap}, or empty when its front checks out. Any exception from the source counts as a
   * problem, never escapes.
   */
  public static Optional<String> problem(ImmutableVerifyCap cap, int shareNumber,
      ShareSource source) {
    if (shareNumber < 0 || shareNumber >= cap.n()) {
      return Optional.of("share number " + shareNumber + " is not below n=" + cap.n());
    }
    try {
      VerifiedShare.open(shareNumber, source, cap);
      return Optional.empty();
    } catch (VerifiedShare.BadShareException e) {
      return Optional.of(e.getMessage());
    } catch (RuntimeException e) {
      return Optional.of("read failed: " + e);
    }
  }
}
