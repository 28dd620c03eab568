package org.cairnfs.caps.immutable;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Cipher;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.crypto.AesCtr;
import org.cairnfs.caps.erasure.ErasureCodec;
import org.cairnfs.caps.share.ShareSource;

/**
 * Rebuilds an immutable file from any k good shares, verifying everything it uses.
 *
 * <p>Shares are tried in ascending share number, so when shares 0..k-1 are good the data blocks
 * are used as they are and no Reed-Solomon work is done. A share whose header, extension
 * block, hash chain or any block fails a check, or whose reads fail, is dropped and the next
 * one taken; when fewer than k remain an {@link IntegrityException} names every dropped share
 * and why. Unverified bytes are never returned.
 *
 * <p>Memory: n block buffers (about one segment times n/k) plus one run of leaf hashes per
 * share in use. Not thread-safe: use one decoder per reader.
 */
public final class ImmutableDecoder {
  /** Segments whose leaf hashes a sequential read proves at once. */
  static final int SEQUENTIAL_RUN = 64;

  private final ImmutableReadCap cap;
  private final TreeMap<Integer, ShareSource> candidates;
  private final Map<Integer, String> bad = new LinkedHashMap<>();
  private final List<VerifiedShare> active = new ArrayList<>();
  private final ErasureCodec codec;
  private final boolean[] present;
  private byte[][] blocks;
  private ShareLayout layout;

  private ImmutableDecoder(ImmutableReadCap cap, Map<Integer, ShareSource> shares) {
    this.cap = cap;
    this.candidates = new TreeMap<>(shares);
    this.codec = ErasureCodec.of(cap.k(), cap.n());
    this.present = new boolean[cap.n()];
  }

  /** A decoder over the given shares, keyed by the share number each is claimed to be. */
  public static ImmutableDecoder of(ImmutableReadCap cap, Map<Integer, ShareSource> shares) {
    return new ImmutableDecoder(cap, shares);
  }

  /** The layout, from the first share that verifies. */
  public ShareLayout layout() throws IntegrityException {
    fillActive();
    return layout;
  }

  /** Shares dropped so far and why. */
  public Map<Integer, String> badShares() {
    return Map.copyOf(bad);
  }

  /** Writes the whole plaintext to {@code out}. */
  public void decode(OutputStream out) throws IOException {
    ShareLayout layout = layout();
    Cipher cipher = AesCtr.at(cap.key(), 0);
    for (int s = 0; s < layout.segmentCount(); s++) {
      decodeSegment(s, SEQUENTIAL_RUN, cipher);
      writeSegment(s, out);
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
    decodeSegment(s, 1, AesCtr.at(cap.key(), (long) s * layout.params().segmentSize()));
    byte[] out = new byte[layout.segmentLength(s)];
    int blockLength = layout.blockLength(s);
    for (int j = 0, at = 0; at < out.length; j++) {
      int take = Math.min(blockLength, out.length - at);
      System.arraycopy(blocks[j], 0, out, at, take);
      at += take;
    }
    return out;
  }

  private void writeSegment(int s, OutputStream out) throws IOException {
    int blockLength = layout.blockLength(s);
    int remaining = layout.segmentLength(s);
    for (int j = 0; remaining > 0; j++) {
      int take = Math.min(blockLength, remaining);
      out.write(blocks[j], 0, take);
      remaining -= take;
    }
  }

  /** Leaves the decrypted segment in the first k block buffers. */
  private void decodeSegment(int s, int run, Cipher cipher) throws IntegrityException {
    int blockLength = layout.blockLength(s);
    Arrays.fill(present, false);
    boolean dropped = true;
    while (dropped) {
      fillActive();
      dropped = false;
      for (Iterator<VerifiedShare> it = active.iterator(); it.hasNext(); ) {
        VerifiedShare share = it.next();
        if (present[share.number()]) {
          continue;
        }
        try {
          share.readBlock(s, run, buffer(share.number()));
          present[share.number()] = true;
        } catch (VerifiedShare.BadShareException e) {
          bad.put(share.number(), e.getMessage());
          it.remove();
          dropped = true;
        }
      }
    }
    if (active.get(cap.k() - 1).number() != cap.k() - 1) {
      for (int i = 0; i < cap.n(); i++) {
        buffer(i);
      }
      codec.decode(blocks, present, 0, blockLength);
    }
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

  private byte[] buffer(int i) {
    if (blocks[i] == null) {
      blocks[i] = new byte[layout.maxBlockLength()];
    }
    return blocks[i];
  }

  /** Tops the active set up to k verified shares, or throws naming the bad ones. */
  private void fillActive() throws IntegrityException {
    while (active.size() < cap.k() && !candidates.isEmpty()) {
      Map.Entry<Integer, ShareSource> next = candidates.pollFirstEntry();
      int number = next.getKey();
      if (number < 0 || number >= cap.n()) {
        bad.put(number, "share number is not below n=" + cap.n());
        continue;
      }
      try {
        VerifiedShare share = VerifiedShare.open(number, next.getValue(), cap);
        if (layout == null) {
          layout = share.layout();
          blocks = new byte[cap.n()][];
        }
        int at = 0;
        while (at < active.size() && active.get(at).number() < number) {
          at++;
        }
        active.add(at, share);
      } catch (VerifiedShare.BadShareException e) {
        bad.put(number, e.getMessage());
      }
    }
    if (active.size() < cap.k()) {
      throw new IntegrityException("need " + cap.k() + " good shares of file "
          + cap.index() + ", found " + active.size(), bad);
    }
  }

  private final class SegmentInputStream extends InputStream {
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
        layout();
        cipher = AesCtr.at(cap.key(), 0);
      }
      if (position == length) {
        if (segment + 1 >= layout.segmentCount()) {
          return -1;
        }
        segment++;
        decodeSegment(segment, SEQUENTIAL_RUN, cipher);
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
