package org.cairnfs.caps.immutable;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.util.Comparator;
import java.util.Map;
import javax.crypto.Cipher;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.crypto.AesCtr;
import org.cairnfs.caps.share.ShareSource;

/**
 * Rebuilds an immutable file from any k good shares, verifying everything it uses.
 *
 * <p>Shares are tried in ascending share number (or a caller's preference), so when shares
 * 0..k-1 are good the data blocks are used as they are and no Reed-Solomon work is done. A
 * share whose header, extension block, hash chain or any block fails a check, or whose reads
 * fail, is dropped and the next one taken; when fewer than k remain an {@link
 * IntegrityException} names every dropped share and why. Unverified bytes are never returned.
 *
 * <p>Every segment is also checked against the uploader's commitment in the segment tree: the
 * hash of its k data blocks' leaf hashes. With shares 0..k-1 those leaves are already verified,
 * so the check is one small hash; a block rebuilt from parity is hashed first. If the blocks
 * disagree with the commitment the uploader coded inconsistent shares: other k-subsets are
 * tried, and if none matches an {@link IntegrityException} says so. So every k-subset either
 * yields the same bytes or fails.
 *
 * <p>Memory: n block buffers (about one segment times n/k) plus one run of leaf hashes per
 * share in use. Not thread-safe: use one decoder per reader.
 *
 * <p>Choosing, verifying and combining the shares is the package's {@code VerifiedSegments};
 * this class decrypts what it yields and hands it out.
 */
public final class ImmutableDecoder {
  /** Segments whose leaf hashes a sequential read proves at once. */
  static final int SEQUENTIAL_RUN = 64;

  private final ImmutableVerifyCap cap;
  /** The read key; null for a decoder of ciphertext (a verify-cap holder repairing). */
  private final byte[] key;
  private final VerifiedSegments segments;

  private ImmutableDecoder(ImmutableVerifyCap cap, byte[] key, Map<Integer, ShareSource> shares,
      Comparator<Integer> preference) {
    this.cap = cap;
    this.key = key;
    this.segments = new VerifiedSegments(cap, shares, preference);
  }

  /** A decoder over the given shares, keyed by the share number each is claimed to be. */
  public static ImmutableDecoder of(ImmutableReadCap cap, Map<Integer, ShareSource> shares) {
    return new ImmutableDecoder(cap.verifier(), cap.key(), shares, Comparator.naturalOrder());
  }

  /**
   * A decoder that opens shares in the order {@code preference} gives (which must order
   * distinct share numbers strictly), for example fastest server first. Blocks of the shares in
   * use are still combined by share number, and data shares still need no Reed-Solomon work,
   * so a preference that puts data shares first among equally fast ones saves CPU.
   */
  public static ImmutableDecoder of(ImmutableReadCap cap, Map<Integer, ShareSource> shares,
      Comparator<Integer> preference) {
    return new ImmutableDecoder(cap.verifier(), cap.key(), shares, preference);
  }

  /**
   * A decoder that holds no read key: it verifies shares and rebuilds the ciphertext of each
   * segment ({@link #readCiphertext}) but cannot decrypt. For repair with a verify cap.
   */
  public static ImmutableDecoder ofCiphertext(ImmutableVerifyCap cap,
      Map<Integer, ShareSource> shares, Comparator<Integer> preference) {
    return new ImmutableDecoder(cap, null, shares, preference);
  }

  /** The layout, from the first share that verifies. */
  public ShareLayout layout() throws IntegrityException {
    return segments.layout();
  }

  /** Shares dropped so far and why. */
  public Map<Integer, String> badShares() {
    return Map.copyOf(segments.bad());
  }

  /** Writes the whole plaintext to {@code out}. */
  public void decode(OutputStream out) throws IOException {
    ShareLayout layout = layout();
    Cipher cipher = AesCtr.at(key(), 0);
    for (int s = 0; s < layout.segmentCount(); s++) {
      decodeSegment(layout, s, SEQUENTIAL_RUN, cipher);
      writeSegment(layout, s, out);
    }
  }

  /** The plaintext as a stream, decoded one segment at a time as it is read. */
  public InputStream openStream() {
    return new SegmentInputStream();
  }

  /** Plaintext of segment {@code s} alone, fetching only that segment's blocks and proofs. */
  public byte[] readSegment(int s) throws IOException {
    ShareLayout layout = layout();
    if (s < 0 || s >= layout.segmentCount()) {
      throw new IndexOutOfBoundsException(
          "segment " + s + " of a file with " + layout.segmentCount());
    }
    Cipher cipher = AesCtr.at(key(), (long) s * layout.params().segmentSize());
    segments.load(s, 1);
    // Decrypted straight from the verified blocks into the answer: one pass, not two.
    byte[][] blocks = segments.blocks();
    byte[] out = new byte[layout.segmentLength(s)];
    int blockLength = layout.blockLength(s);
    try {
      for (int j = 0, at = 0; at < out.length; j++) {
        int take = Math.min(blockLength, out.length - at);
        cipher.update(blocks[j], 0, take, out, at);
        at += take;
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /**
   * Copies the ciphertext data blocks of segment {@code s} ({@code layout().blockLength(s)}
   * bytes each, zero padding included, exactly as the uploader coded them) into {@code
   * into[0..k)}, after verifying them against the uploader's commitment. Needs no read key.
   *
   * @param run segments whose hashes one proof covers (64 for a front-to-back pass, 1 for one
   *     segment)
   */
  public void readCiphertext(int s, int run, byte[][] into) throws IOException {
    ShareLayout layout = layout();
    if (s < 0 || s >= layout.segmentCount()) {
      throw new IndexOutOfBoundsException(
          "segment " + s + " of a file with " + layout.segmentCount());
    }
    segments.load(s, Math.max(1, run));
    byte[][] blocks = segments.blocks();
    int blockLength = layout.blockLength(s);
    for (int j = 0; j < cap.k(); j++) {
      System.arraycopy(blocks[j], 0, into[j], 0, blockLength);
    }
  }

  private byte[] key() {
    if (key == null) {
      throw new IllegalStateException("a ciphertext decoder holds no read key");
    }
    return key;
  }

  private void writeSegment(ShareLayout layout, int s, OutputStream out) throws IOException {
    byte[][] blocks = segments.blocks();
    int blockLength = layout.blockLength(s);
    int remaining = layout.segmentLength(s);
    for (int j = 0; remaining > 0; j++) {
      int take = Math.min(blockLength, remaining);
      out.write(blocks[j], 0, take);
      remaining -= take;
    }
  }

  /** Leaves the decrypted segment {@code s} in the first k block buffers, verified. */
  private void decodeSegment(ShareLayout layout, int s, int run, Cipher cipher)
      throws IntegrityException {
    segments.load(s, run);
    byte[][] blocks = segments.blocks();
    int blockLength = layout.blockLength(s);
    int remaining = layout.segmentLength(s);
    try {
      for (int j = 0; remaining > 0; j++) {
        int take = Math.min(blockLength, remaining);
        cipher.update(blocks[j], 0, take, blocks[j], 0);
        remaining -= take;
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private final class SegmentInputStream extends InputStream {
    private ShareLayout layout;
    private byte[][] blocks;
    private Cipher cipher;
    private int segment = -1;
    private int position;
    private int length;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] dst, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (cipher == null) {
        layout = layout();
        blocks = segments.blocks();
        cipher = AesCtr.at(key(), 0);
      }
      if (position == length) {
        if (segment + 1 >= layout.segmentCount()) {
          return -1;
        }
        segment++;
        decodeSegment(layout, segment, SEQUENTIAL_RUN, cipher);
        position = 0;
        length = layout.segmentLength(segment);
      }
      int blockLength = layout.blockLength(segment);
      int block = position / blockLength;
      int inBlock = position % blockLength;
      int take = Math.min(len, Math.min(blockLength - inBlock, length - position));
      System.arraycopy(blocks[block], inBlock, dst, off, take);
      position += take;
      return take;
    }
  }
}
