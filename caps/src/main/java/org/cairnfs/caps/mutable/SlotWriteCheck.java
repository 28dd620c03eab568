package org.cairnfs.caps.mutable;

import java.util.Arrays;
import java.util.OptionalLong;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.crypto.Ed25519;

/**
 * The check a storage server runs, holding no cap, before it stores a mutable share.
 *
 * <p>Because a slot's storage index is derived from its verifying key, the server can decide
 * alone whether a write is authorised: the key embedded in the share must hash to the slot's
 * index, the signature over the header must verify under that key, and the seqnum must be
 * strictly higher than the one stored. Only the first {@link #PREFIX_LENGTH} bytes of the share
 * are read (signed header, verifying key, signature), so the check costs one SHA-256 pair and
 * one Ed25519 verification whatever the share's size, and never allocates from input lengths.
 *
 * <p>Which seqnum to pass: the one of the share the submitted one would replace (same slot,
 * same share number), or empty when the server holds no such share. A byte-identical resubmit
 * is STALE by this rule; a server that wants idempotent retries compares bytes first.
 */
public final class SlotWriteCheck {
  /** Bytes of a share the check reads: header (77) + verifying key (32) + signature (64). */
  public static final int PREFIX_LENGTH =
      SignedHeader.LENGTH + Ed25519.PUBLIC_KEY_LENGTH + Ed25519.SIGNATURE_LENGTH;

  private SlotWriteCheck() {}

  /** What an accepted write carries, for the server's bookkeeping. */
  public record Accepted(long seqnum, SignedHeader header) {}

  /**
   * Accepts or rejects a share submitted to slot {@code slot}.
   *
   * @param share the share's bytes; only the first {@link #PREFIX_LENGTH} are read, so a server
   *     may pass just that prefix
   * @param heldSeqnum the seqnum of the share being replaced, empty if there is none
   * @return the accepted version's seqnum and header
   * @throws SlotWriteRejectedException with the reason, never anything else for any bytes
   */
  public static Accepted check(StorageIndex slot, byte[] share, OptionalLong heldSeqnum) {
    if (share == null || share.length < PREFIX_LENGTH) {
      throw new SlotWriteRejectedException(SlotWriteRejectedException.Reason.MALFORMED,
          "a mutable share needs at least " + PREFIX_LENGTH + " bytes, got "
              + (share == null ? 0 : share.length));
    }
    SignedHeader header;
    try {
      header = SignedHeader.parse(share, 0);
    } catch (MutableShareFormatException e) {
      throw new SlotWriteRejectedException(SlotWriteRejectedException.Reason.MALFORMED,
          e.getMessage());
    }
    byte[] key = Arrays.copyOfRange(share, SignedHeader.LENGTH,
        SignedHeader.LENGTH + Ed25519.PUBLIC_KEY_LENGTH);
    if (!MutableKeys.storageIndexOf(key).equals(slot)) {
      throw new SlotWriteRejectedException(SlotWriteRejectedException.Reason.WRONG_KEY,
          "the share's verifying key does not belong to slot " + slot);
    }
    byte[] signature = Arrays.copyOfRange(share, SignedHeader.LENGTH
        + Ed25519.PUBLIC_KEY_LENGTH, PREFIX_LENGTH);
    if (!Ed25519.verify(key, header.signedDigest(), signature)) {
      throw new SlotWriteRejectedException(SlotWriteRejectedException.Reason.BAD_SIGNATURE,
          "the signature over seqnum " + header.seqnum() + " does not verify under the slot key");
    }
    if (heldSeqnum.isPresent() && header.seqnum() <= heldSeqnum.getAsLong()) {
      throw new SlotWriteRejectedException(SlotWriteRejectedException.Reason.STALE_SEQNUM,
          "seqnum " + header.seqnum() + " is not higher than the held seqnum "
              + heldSeqnum.getAsLong());
    }
    return new Accepted(header.seqnum(), header);
  }
}
