package org.cairnfs.caps.immutable;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.erasure.ErasureCodec;
import org.cairnfs.caps.merkle.MerkleTree;
import org.cairnfs.caps.share.ShareSource;

/**
 * The ciphertext data blocks of an immutable file, one segment at a time, from any k good shares
 * of n, each verified and the segment checked against the uploader's commitment: the shares in
 * use (opened in preference order, a bad one dropped with why and the next one taken), the
 * Reed-Solomon rebuild of missing data blocks, and the search for a consistent k-subset when the
 * shares disagree with the commitment.
 *
 * <p>Why apart from {@link ImmutableDecoder}: this is the part that decides which bytes are
 * good; the decoder only decrypts them and hands them out (whole file, stream, one segment, or
 * ciphertext for repair). After {@link #load} the segment's data blocks are in {@link #blocks}
 * {@code [0..k)}. Not thread-safe: one per decoder.
 */
final class VerifiedSegments {
  /** Most k-subsets tried for one segment when shares disagree with the commitment. */
  static final int MAX_COMBINATIONS = 256;

  private final ImmutableVerifyCap cap;
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

  /** Over the given shares, keyed by claimed share number, opened in {@code preference} order. */
  VerifiedSegments(ImmutableVerifyCap cap, Map<Integer, ShareSource> shares,
      Comparator<Integer> preference) {
    this.cap = cap;
    this.candidates = new TreeMap<>(preference);
    this.candidates.putAll(shares);
    this.codec = ErasureCodec.of(cap.k(), cap.n());
    this.present = new boolean[cap.n()];
    this.used = new VerifiedShare[cap.n()];
  }

  /** The layout, from the first share that verifies; throws if fewer than k shares verify. */
  ShareLayout layout() throws IntegrityException {
    fillActive();
    return layout;
  }

  /** Shares dropped so far and why (live, not a copy). */
  Map<Integer, String> bad() {
    return bad;
  }

  /** The n block buffers; after {@link #load}, {@code [0..k)} hold the segment's data blocks. */
  byte[][] blocks() {
    return blocks;
  }

  /**
   * Leaves segment {@code s}'s ciphertext data blocks in {@link #blocks}, after checking that
   * they (read or rebuilt) are the ones the uploader committed to in the segment tree.
   *
   * @param run segments whose hashes one proof covers
   */
  void load(int s, int run) throws IntegrityException {
    byte[] committed = committedSegmentHash(s, run);
    Arrays.fill(present, false);
    readBlocks(s, run);
    if (!rebuildMatches(s, committed)) {
      findConsistentShares(s, run, committed);
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
}
