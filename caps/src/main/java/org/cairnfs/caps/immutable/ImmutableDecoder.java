package org.cairnfs.caps.immutable;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Cipher;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.crypto.AesCtr;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.erasure.ErasureCodec;
import org.cairnfs.caps.merkle.MerkleTree;
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
 */
public final class ImmutableDecoder {
  /** Segments whose leaf hashes a sequential read proves at once. */
  static final int SEQUENTIAL_RUN = 64;
  /** Most k-subsets tried for one segment when shares disagree with the commitment. */
  static final int MAX_COMBINATIONS = 256;

  private final ImmutableVerifyCap cap;
  /** The read key; null for a decoder of ciphertext (a verify-cap holder repairing). */
  private final byte[] key;
  private final TreeMap<Integer, ShareSource> candidates;
  private final Map<Integer, String> bad = new LinkedHashMap<>();
  private final List<VerifiedShare> active = new ArrayList<>();
  private final ErasureCodec codec;
  private final boolean[] present;
  private final VerifiedShare[] used;
  private final TaggedHash blockHash = TaggedHash.start(Tag.BLOCK);
  private final TaggedHash segmentHash = TaggedHash.start(Tag.SEGMENT);
  private LeafWindow segmentHashes;
  private byte[][] blocks;
  private ShareLayout layout;

  private ImmutableDecoder(ImmutableVerifyCap cap, byte[] key, Map<Integer, ShareSource> shares,
      Comparator<Integer> preference) {
    this.cap = cap;
    this.key = key;
    this.candidates = new TreeMap<>(preference);
    this.candidates.putAll(shares);
    this.codec = ErasureCodec.of(cap.k(), cap.n());
    this.present = new boolean[cap.n()];
    this.used = new VerifiedShare[cap.n()];
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
    Cipher cipher = AesCtr.at(key(), 0);
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
    Cipher cipher = AesCtr.at(key(), (long) s * layout.params().segmentSize());
    decodeSegment(s, 1, null);
    // Decrypted straight from the verified blocks into the answer: one pass, not two.
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
    decodeSegment(s, Math.max(1, run), null);
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

  private void writeSegment(int s, OutputStream out) throws IOException {
    int blockLength = layout.blockLength(s);
    int remaining = layout.segmentLength(s);
    for (int j = 0; remaining > 0; j++) {
      int take = Math.min(blockLength, remaining);
      out.write(blocks[j], 0, take);
      remaining -= take;
    }
  }

  /**
   * Leaves the decrypted segment in the first k block buffers, after checking that the data
   * blocks (read or rebuilt) are the ones the uploader committed to in the segment tree.
   */
  private void decodeSegment(int s, int run, Cipher cipher) throws IntegrityException {
    byte[] committed = committedSegmentHash(s, run);
    Arrays.fill(present, false);
    readBlocks(s, run);
    if (!rebuildMatches(s, committed)) {
      findConsistentShares(s, run, committed);
    }
    if (cipher == null) {
      return;
    }
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

  /** The segment hash the extension block commits to, proved from an active share's copy. */
  private byte[] committedSegmentHash(int s, int run) throws IntegrityException {
    while (!segmentHashes.covers(s)) {
      fillActive();
      VerifiedShare from = active.get(0);
      try {
        from.loadSegmentHashes(segmentHashes, s, run);
      } catch (VerifiedShare.BadShareException e) {
        bad.put(from.number(), e.getMessage());
        active.remove(0);
      }
    }
    int at = segmentHashes.offsetOf(s);
    return Arrays.copyOfRange(segmentHashes.bytes(), at, at + MerkleTree.HASH_LENGTH);
  }

  /** Reads segment {@code s}'s block from every active share not yet read, topping up on drops. */
  private void readBlocks(int s, int run) throws IntegrityException {
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
          used[share.number()] = share;
        } catch (VerifiedShare.BadShareException e) {
          bad.put(share.number(), e.getMessage());
          it.remove();
          dropped = true;
        }
      }
    }
  }

  /**
   * Rebuilds any missing data block from the present ones and compares H(SEGMENT, data leaf
   * hashes) with the commitment. A data block read from its share contributes its already
   * verified leaf hash; only rebuilt blocks are hashed here.
   */
  private boolean rebuildMatches(int s, byte[] committed) {
    int k = cap.k();
    int blockLength = layout.blockLength(s);
    boolean allData = true;
    for (int j = 0; j < k; j++) {
      allData &= present[j];
    }
    if (!allData) {
      for (int i = 0; i < cap.n(); i++) {
        buffer(i);
      }
      codec.decode(blocks, present, 0, blockLength);
    }
    for (int j = 0; j < k; j++) {
      if (present[j]) {
        used[j].feedBlockLeaf(s, segmentHash);
      } else {
        segmentHash.update(blockHash.update(blocks[j], 0, blockLength).finish());
      }
    }
    return MessageDigest.isEqual(segmentHash.finish(), committed);
  }

  /**
   * The k blocks used disagree with the commitment: the uploader coded parity (or data) that does
   * not match what it committed. Reads segment {@code s} from every share still available and
   * tries other k-subsets (at most {@link #MAX_COMBINATIONS}); the first that rebuilds the
   * committed segment becomes the active set. Throws if none does.
   */
  private void findConsistentShares(int s, int run, byte[] committed)
      throws IntegrityException {
    int k = cap.k();
    int blockLength = layout.blockLength(s);
    boolean[] first = present.clone();
    while (!candidates.isEmpty()) {
      openNext();
    }
    readBlocks(s, run);
    List<Integer> available = new ArrayList<>();
    byte[][] saved = new byte[cap.n()][];
    for (int i = 0; i < cap.n(); i++) {
      if (present[i]) {
        available.add(i);
        saved[i] = Arrays.copyOf(blocks[i], blockLength);
      }
    }
    int[] pick = new int[k];
    for (int j = 0; j < k; j++) {
      pick[j] = j;
    }
    int tried = 0;
    do {
      Arrays.fill(present, false);
      for (int p : pick) {
        int number = available.get(p);
        present[number] = true;
        System.arraycopy(saved[number], 0, blocks[number], 0, blockLength);
      }
      if (Arrays.equals(present, first)) {
        continue;
      }
      tried++;
      if (rebuildMatches(s, committed)) {
        List<VerifiedShare> keep = new ArrayList<>();
        for (VerifiedShare share : active) {
          if (present[share.number()]) {
            keep.add(share);
          } else {
            candidates.put(share.number(), share.source());
          }
        }
        active.clear();
        active.addAll(keep);
        return;
      }
    } while (tried < MAX_COMBINATIONS && nextCombination(pick, available.size()));
    Map<Integer, String> involved = new LinkedHashMap<>(bad);
    for (int number : available) {
      involved.put(number, "inconsistent erasure coding (uploader) in segment " + s);
    }
    throw new IntegrityException("segment " + s + " of file " + cap.index() + ": no " + k
        + " of shares " + available + " rebuild the data the uploader committed to ("
        + (tried + 1) + " combinations tried): inconsistent erasure coding (uploader)",
        involved);
  }

  /** Advances {@code pick} to the next k-subset of {@code [0, m)} in lexicographic order. */
  static boolean nextCombination(int[] pick, int m) {
    int k = pick.length;
    int i = k - 1;
    while (i >= 0 && pick[i] == m - k + i) {
      i--;
    }
    if (i < 0) {
      return false;
    }
    pick[i]++;
    for (int j = i + 1; j < k; j++) {
      pick[j] = pick[j - 1] + 1;
    }
    return true;
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
      openNext();
    }
    if (active.size() < cap.k()) {
      throw new IntegrityException("need " + cap.k() + " good shares of file "
          + cap.index() + ", found " + active.size(), bad);
    }
  }

  /** Verifies the lowest-numbered candidate and adds it to the active set, or drops it. */
  private void openNext() {
    Map.Entry<Integer, ShareSource> next = candidates.pollFirstEntry();
    int number = next.getKey();
    if (number < 0 || number >= cap.n()) {
      bad.put(number, "share number is not below n=" + cap.n());
      return;
    }
    try {
      VerifiedShare share = VerifiedShare.open(number, next.getValue(), cap.extensionHash(),
          cap.k(), cap.n(), cap.size());
      if (layout == null) {
        layout = share.layout();
        blocks = new byte[cap.n()][];
        segmentHashes = new LeafWindow(layout.segmentCount(),
            share.extension().segmentTreeRoot());
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
        cipher = AesCtr.at(key(), 0);
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
