package org.cairnfs.caps.mutable;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.OptionalLong;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.crypto.Ed25519;
import org.cairnfs.caps.mutable.SlotWriteRejectedException.Reason;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSource;

/**
 * The check a storage server runs, holding no cap, before a submitted mutable share may replace
 * anything.
 *
 * <p>Because a slot's storage index is derived from its verifying key, the server can decide
 * alone whether a write is authorised: the key embedded in the share must hash to the slot's
 * index, the signature over the header must verify under that key, and the seqnum must be
 * strictly higher than the one stored. That is not enough: a signed header is public (every
 * reader of the slot sees it), so anyone could put it in front of garbage. The rest of the share
 * must therefore be the one the signature speaks for: its share number is the one it is stored
 * under, its offsets and length are those the signed parameters imply, and its share hash chain,
 * block hash tree and every block reproduce the signed root. Only then may it replace a held
 * version.
 *
 * <p>Two steps, so a server can refuse early: {@link #checkFront} needs only the first {@link
 * #FRONT_LENGTH} bytes (form, key, signature, seqnum, share number, layout: one Ed25519
 * verification), and {@link #check} adds the content, streamed through bounded buffers (memory
 * independent of the share's size; cost about one SHA-256 pass over the share). Rules and their
 * order: {@code docs/specs/mutable-share.md}.
 *
 * <p>Which seqnum to pass: the one of the share the submitted one would replace (same slot,
 * same share number), or empty when the server holds no such share. A byte-identical resubmit
 * is STALE by this rule; a server that wants idempotent retries compares bytes first.
 */
public final class SlotWriteCheck {
  /** The signed prefix: header (77) + verifying key (32) + signature (64). */
  public static final int PREFIX_LENGTH =
      SignedHeader.LENGTH + Ed25519.PUBLIC_KEY_LENGTH + Ed25519.SIGNATURE_LENGTH;
  /** Bytes {@link #checkFront} reads: everything before the share hash chain. */
  public static final int FRONT_LENGTH = ShareLayout.FIXED_LENGTH;

  private SlotWriteCheck() {}

  /** What an accepted write carries, for the server's bookkeeping. */
  public record Accepted(long seqnum, SignedHeader header) {}

  /**
   * Authenticates the signed prefix of a share of {@code slot}: a well-formed header, the slot's
   * own key, a valid signature. Says who wrote the header and nothing about the rest of the
   * share: enough to trust the seqnum of a share already held, never to store one.
   *
   * @param prefix at least {@link #PREFIX_LENGTH} bytes; more are ignored
   * @throws SlotWriteRejectedException MALFORMED, WRONG_KEY or BAD_SIGNATURE; nothing else
   */
  public static SignedHeader authenticate(StorageIndex slot, byte[] prefix) {
    if (prefix == null || prefix.length < PREFIX_LENGTH) {
      throw new SlotWriteRejectedException(Reason.MALFORMED, "a mutable share needs at least "
          + PREFIX_LENGTH + " bytes, got " + (prefix == null ? 0 : prefix.length));
    }
    SignedHeader header = parseHeader(prefix);
    checkAuthority(slot, header, prefix);
    return header;
  }

  /**
   * The part of the write rule that the first {@link #FRONT_LENGTH} bytes decide: form and
   * layout (MALFORMED), key, signature, seqnum, share number. A server runs it as soon as those
   * bytes arrive, so a bad write is refused before the rest is stored; passing it does not
   * make a share acceptable ({@link #check} does).
   *
   * @param shareNumber the share number the share would be stored under
   * @param size the share's total length in bytes
   * @param front at least {@link #FRONT_LENGTH} bytes of the share (more are ignored)
   * @param heldSeqnum the seqnum of the share being replaced, empty if there is none
   * @throws SlotWriteRejectedException with the first failing reason, never anything else
   */
  public static Accepted checkFront(StorageIndex slot, int shareNumber, long size, byte[] front,
      OptionalLong heldSeqnum) {
    if (front == null || front.length < FRONT_LENGTH || size < FRONT_LENGTH) {
      throw new SlotWriteRejectedException(Reason.MALFORMED, "a mutable share has at least "
          + FRONT_LENGTH + " bytes, got " + (front == null ? 0 : Math.min(front.length, size)));
    }
    SignedHeader header = parseHeader(front);
    ShareLayout layout = ShareLayout.of(header);
    ByteBuffer b = ByteBuffer.wrap(front, ShareLayout.SHARE_NUMBER_OFFSET,
        FRONT_LENGTH - ShareLayout.SHARE_NUMBER_OFFSET);
    int storedNumber = b.getShort() & 0xffff;
    if (storedNumber >= header.n()) {
      throw new SlotWriteRejectedException(Reason.MALFORMED,
          "share number " + storedNumber + " is not below n=" + header.n());
    }
    b.position(ShareLayout.OFFSETS_OFFSET);
    long[] expected = {layout.chainOffset(), layout.blockTreeOffset(), layout.blocksOffset(),
        layout.end()};
    String[] names = {"share hash chain", "block hash tree", "blocks", "end"};
    for (int i = 0; i < expected.length; i++) {
      long stored = b.getLong();
      if (stored != expected[i]) {
        throw new SlotWriteRejectedException(Reason.MALFORMED, "offset of " + names[i] + " is "
            + stored + ", the signed parameters imply " + expected[i]);
      }
    }
    if (size != layout.end()) {
      throw new SlotWriteRejectedException(Reason.MALFORMED, "share is " + size
          + " bytes but its signed parameters imply " + layout.end());
    }
    checkAuthority(slot, header, front);
    if (heldSeqnum.isPresent() && header.seqnum() <= heldSeqnum.getAsLong()) {
      throw new SlotWriteRejectedException(Reason.STALE_SEQNUM,
          "seqnum " + header.seqnum() + " is not higher than the held seqnum "
              + heldSeqnum.getAsLong());
    }
    if (storedNumber != shareNumber) {
      throw new SlotWriteRejectedException(Reason.WRONG_SHARE_NUMBER, "share " + storedNumber
          + " of seqnum " + header.seqnum() + " submitted as share " + shareNumber);
    }
    return new Accepted(header.seqnum(), header);
  }

  /**
   * The whole write rule: {@link #checkFront}, then the share hash chain, every block hash tree
   * node and every block against the signed root (HASH_MISMATCH). Reads {@code share} front to
   * back through bounded buffers; memory does not depend on {@code size}.
   *
   * @param share the submitted share, {@code size} bytes long
   * @throws SlotWriteRejectedException with the first failing reason
   * @throws IOException only if {@code share} fails to read
   */
  public static Accepted check(StorageIndex slot, int shareNumber, long size, ShareSource share,
      OptionalLong heldSeqnum) throws IOException {
    try {
      byte[] front = share.read(0, (int) Math.min(size, FRONT_LENGTH));
      Accepted accepted = checkFront(slot, shareNumber, size, front, heldSeqnum);
      SlotShareContent.verify(MutableShare.read(share), share);
      return accepted;
    } catch (EOFException e) {
      throw new SlotWriteRejectedException(Reason.MALFORMED,
          "share ends before its declared " + size + " bytes: " + e.getMessage());
    } catch (MutableShareFormatException e) {
      throw new SlotWriteRejectedException(Reason.MALFORMED, e.getMessage());
    }
  }

  /** {@link #check(StorageIndex, int, long, ShareSource, OptionalLong)} of a share in memory. */
  public static Accepted check(StorageIndex slot, int shareNumber, byte[] share,
      OptionalLong heldSeqnum) {
    try {
      return check(slot, shareNumber, share.length, ByteArrayShare.wrap(share), heldSeqnum);
    } catch (IOException e) {
      throw new IllegalStateException("an in-memory share cannot fail to read", e);
    }
  }

  private static SignedHeader parseHeader(byte[] bytes) {
    try {
      return SignedHeader.parse(bytes, 0);
    } catch (MutableShareFormatException e) {
      throw new SlotWriteRejectedException(Reason.MALFORMED, e.getMessage());
    }
  }

  private static void checkAuthority(StorageIndex slot, SignedHeader header, byte[] prefix) {
    byte[] key = Arrays.copyOfRange(prefix, SignedHeader.LENGTH,
        SignedHeader.LENGTH + Ed25519.PUBLIC_KEY_LENGTH);
    if (!MutableKeys.storageIndexOf(key).equals(slot)) {
      throw new SlotWriteRejectedException(Reason.WRONG_KEY,
          "the share's verifying key does not belong to slot " + slot);
    }
    byte[] signature = Arrays.copyOfRange(prefix, SignedHeader.LENGTH
        + Ed25519.PUBLIC_KEY_LENGTH, PREFIX_LENGTH);
    if (!Ed25519.verify(key, header.signedDigest(), signature)) {
      throw new SlotWriteRejectedException(Reason.BAD_SIGNATURE,
          "the signature over seqnum " + header.seqnum() + " does not verify under the slot key");
    }
  }
}
