package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.merkle.MerkleTree;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSource;
import org.cairnfs.caps.share.ShareTreeLeaf;
import org.junit.jupiter.api.Test;

/**
 * A malicious uploader publishes shares that are each self-consistent under the cap (block
 * tree, share chain and extension block all check) but whose parity does not encode the data.
 * Whatever k-subset a reader has, it must get the one committed content or an
 * {@link IntegrityException}, never a second plaintext.
 */
class InconsistentUploadTest {
  static final int K = 3;
  static final int N = 10;
  static final int SEGMENT = 2;
  static final int AT = 5;
  static final byte FLIP = 0x5a;

  /** A forged share set, its cap, and the plaintext it commits to. */
  record Forged(ImmutableReadCap cap, byte[][] shares, byte[] committed) {
    Map<Integer, ShareSource> sources(int mask) {
      Map<Integer, ShareSource> map = new TreeMap<>();
      for (int i = 0; i < N; i++) {
        if ((mask & (1 << i)) != 0) {
          map.put(i, ByteArrayShare.wrap(shares[i]));
        }
      }
      return map;
    }
  }

  /**
   * Encodes honestly, then changes one byte of share {@code victim}'s block of segment
   * {@link #SEGMENT} and re-derives everything that share's integrity depends on: its block
   * tree, the share tree, every chain, the extension block, and so the cap. The other shares'
   * blocks are untouched, so parity still encodes the original data. With
   * {@code commitForgedData} the segment tree is recomputed from the changed data blocks (the
   * uploader commits to the forged content); otherwise it still commits to the original.
   */
  static Forged forge(int victim, boolean commitForgedData) throws IOException {
    return forge(commitForgedData, victim);
  }

  /** {@link #forge(int, boolean)} with the commitment kept, for both shares 0 and 7. */
  static Forged forgeTwo() throws IOException {
    return forge(false, 0, 7);
  }

  static Forged forge(boolean commitForgedData, int... victims) throws IOException {
    Shares honest = Shares.encode(Shares.params(K, N, 64), Shares.random(300, 21));
    EncodingParams params = Shares.params(K, N, 64);
    ShareLayout layout = ShareLayout.of(params, 300);
    int segments = layout.segmentCount();
    byte[][] shares = new byte[N][];
    for (int i = 0; i < N; i++) {
      shares[i] = honest.shares()[i].clone();
    }
    for (int victim : victims) {
      shares[victim][(int) layout.blockOffset(SEGMENT) + AT] ^= FLIP;
      List<byte[]> leaves = new ArrayList<>();
      for (int s = 0; s < segments; s++) {
        leaves.add(blockLeaf(shares[victim], layout, s));
      }
      writeTree(shares[victim], layout.blockTreeOffset(), MerkleTree.allNodes(leaves));
    }

    List<byte[]> shareLeaves = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      shareLeaves.add(ShareTreeLeaf.of(i, Arrays.copyOfRange(shares[i],
          (int) layout.blockTreeOffset(), (int) layout.blockTreeOffset() + 32)));
    }
    byte[][] shareTree = MerkleTree.allNodes(shareLeaves);

    byte[] segmentRoot = Arrays.copyOfRange(shares[0], (int) layout.segmentTreeOffset(),
        (int) layout.segmentTreeOffset() + 32);
    if (commitForgedData) {
      List<byte[]> segmentLeaves = new ArrayList<>();
      for (int s = 0; s < segments; s++) {
        TaggedHash h = TaggedHash.start(Tag.SEGMENT);
        for (int j = 0; j < K; j++) {
          h.update(blockLeaf(shares[j], layout, s));
        }
        segmentLeaves.add(h.finish());
      }
      byte[][] segmentTree = MerkleTree.allNodes(segmentLeaves);
      for (byte[] share : shares) {
        writeTree(share, layout.segmentTreeOffset(), segmentTree);
      }
      segmentRoot = segmentTree[0];
    }
    ExtensionBlock extension =
        new ExtensionBlock(params, 300, segments, shareTree[0], segmentRoot);
    for (int i = 0; i < N; i++) {
      byte[] chain = ShareHashChain.encode(N, i, shareTree);
      System.arraycopy(chain, 0, shares[i], (int) layout.chainOffset(), chain.length);
      System.arraycopy(extension.encode(), 0, shares[i], (int) layout.extensionOffset(),
          ExtensionBlock.LENGTH);
    }
    ImmutableReadCap cap =
        new ImmutableReadCap(honest.cap().key(), extension.hash(), K, N, 300);
    byte[] committed = honest.plaintext().clone();
    for (int victim : victims) {
      if (commitForgedData && victim < K) {
        // AES-CTR: a ciphertext flip is the same flip of the plaintext.
        committed[SEGMENT * 64 + victim * layout.blockLength(SEGMENT) + AT] ^= FLIP;
      }
    }
    return new Forged(cap, shares, committed);
  }

  static byte[] blockLeaf(byte[] share, ShareLayout layout, int s) {
    int from = (int) layout.blockOffset(s);
    return TaggedHash.of(Tag.BLOCK,
        Arrays.copyOfRange(share, from, from + layout.blockLength(s)));
  }

  static void writeTree(byte[] share, long offset, byte[][] nodes) {
    for (int j = 0; j < nodes.length; j++) {
      System.arraycopy(nodes[j], 0, share, (int) offset + 32 * j, 32);
    }
  }

  static Map<Integer, ShareSource> only(Forged f, int... numbers) {
    int mask = 0;
    for (int i : numbers) {
      mask |= 1 << i;
    }
    return f.sources(mask);
  }

  /** Every subset of at least k shares decodes to the committed bytes or fails; returns counts. */
  static int[] decodeEverySubset(Forged f) {
    int ok = 0;
    int refused = 0;
    for (int mask = 0; mask < 1 << N; mask++) {
      if (Integer.bitCount(mask) < K) {
        continue;
      }
      try {
        assertThat(Shares.decode(f.cap(), f.sources(mask))).as("subset " + mask)
            .isEqualTo(f.committed());
        ok++;
      } catch (IntegrityException e) {
        assertThat(e).hasMessageContaining("inconsistent erasure coding (uploader)");
        refused++;
      } catch (IOException e) {
        throw new AssertionError("subset " + mask + " threw " + e, e);
      }
      try {
        byte[] segment = ImmutableDecoder.of(f.cap(), f.sources(mask)).readSegment(SEGMENT);
        assertThat(segment).as("segment of subset " + mask)
            .isEqualTo(Arrays.copyOfRange(f.committed(), SEGMENT * 64, SEGMENT * 64 + 64));
      } catch (IntegrityException e) {
        assertThat(e).hasMessageContaining("inconsistent erasure coding (uploader)");
      } catch (IOException e) {
        throw new AssertionError("subset " + mask + " threw " + e, e);
      }
    }
    return new int[] {ok, refused};
  }

  @Test
  void forgedDataCommittedByTheUploaderIsTheOnlyContentAnySubsetYields() throws IOException {
    Forged f = forge(0, true);
    assertThat(Shares.decode(f.cap(), only(f, 0, 1, 2))).isEqualTo(f.committed());
    assertThatThrownBy(() -> Shares.decode(f.cap(), only(f, 3, 4, 5)))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("segment 2")
        .hasMessageContaining("inconsistent erasure coding (uploader)")
        .satisfies(e -> assertThat(((IntegrityException) e).badShares())
            .containsKeys(3, 4, 5));
    int[] counts = decodeEverySubset(f);
    assertThat(counts[0]).as("subsets that decode").isPositive();
    assertThat(counts[1]).as("subsets refused").isPositive();
    assertThat(Shares.decode(f.cap(), f.sources((1 << N) - 1))).isEqualTo(f.committed());
  }

  @Test
  void dataShareDisagreeingWithTheCommitmentIsCaughtEvenWithoutParity() throws IOException {
    Forged f = forge(0, false);
    assertThatThrownBy(() -> Shares.decode(f.cap(), only(f, 0, 1, 2)))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("inconsistent erasure coding (uploader)");
    // With a parity share to spare, the decoder finds the consistent subset {1, 2, 3}.
    assertThat(Shares.decode(f.cap(), only(f, 0, 1, 2, 3))).isEqualTo(f.committed());
    int[] counts = decodeEverySubset(f);
    assertThat(counts[0]).isPositive();
    assertThat(counts[1]).isPositive();
  }

  @Test
  void forgedParityShareIsOutvoted() throws IOException {
    Forged f = forge(7, false);
    assertThat(Shares.decode(f.cap(), only(f, 0, 1, 2))).isEqualTo(f.committed());
    assertThatThrownBy(() -> Shares.decode(f.cap(), only(f, 1, 2, 7)))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("inconsistent erasure coding (uploader)");
    assertThat(Shares.decode(f.cap(), only(f, 1, 2, 7, 8))).isEqualTo(f.committed());
    int[] counts = decodeEverySubset(f);
    assertThat(counts[0]).isPositive();
    assertThat(counts[1]).isPositive();
  }

  /** Block ranges of segments after {@link #SEGMENT}, in the shares of {@code f}. */
  static boolean readsALaterBlock(long offset, int len) {
    ShareLayout layout = ShareLayout.of(Shares.params(K, N, 64), 300);
    for (int s = SEGMENT + 1; s < layout.segmentCount(); s++) {
      long from = layout.blockOffset(s);
      if (offset < from + layout.blockLength(s) && offset + len > from) {
        return true;
      }
    }
    return false;
  }

  /**
   * After a segment is rebuilt from a consistent subset, that subset is the active set: later
   * segments read no block of the share that disagreed, and no share beyond k.
   */
  @Test
  void afterRecoveryOnlyTheConsistentSharesAreRead() throws IOException {
    Forged f = forge(0, false);
    Map<Integer, ShareSource> sources = only(f, 0, 1, 2, 3);
    java.util.Set<Integer> readLater = new java.util.TreeSet<>();
    for (int i : List.copyOf(sources.keySet())) {
      ShareSource inner = sources.get(i);
      sources.put(i, (offset, dst, off, len) -> {
        if (readsALaterBlock(offset, len)) {
          readLater.add(i);
        }
        inner.read(offset, dst, off, len);
      });
    }
    ImmutableDecoder decoder = ImmutableDecoder.of(f.cap(), sources);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    decoder.decode(out);
    assertThat(out.toByteArray()).isEqualTo(f.committed());
    assertThat(readLater).containsExactly(1, 2, 3);
    assertThat(decoder.badShares()).isEmpty();
  }

  /**
   * The share left out of the consistent subset is not forgotten: its other segments are good,
   * so when a share of the subset fails later it is taken back.
   */
  @Test
  void aShareLeftOutAtRecoveryReturnsWhenAnotherFailsLater() throws IOException {
    Forged f = forge(0, false);
    Map<Integer, ShareSource> sources = only(f, 0, 1, 2, 3);
    ShareSource one = sources.get(1);
    sources.put(1, (offset, dst, off, len) -> {
      if (readsALaterBlock(offset, len)) {
        throw new IOException("server of share 1 went away");
      }
      one.read(offset, dst, off, len);
    });
    ImmutableDecoder decoder = ImmutableDecoder.of(f.cap(), sources);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    decoder.decode(out);
    assertThat(out.toByteArray()).isEqualTo(f.committed());
    assertThat(decoder.badShares()).containsOnlyKeys(1);
    assertThat(decoder.badShares().get(1)).contains("went away");
  }

  @Test
  void combinationsAreEnumeratedInOrder() {
    int[] pick = {0, 1};
    List<String> seen = new ArrayList<>();
    do {
      seen.add(pick[0] + "" + pick[1]);
    } while (VerifiedSegments.nextCombination(pick, 4));
    assertThat(seen).containsExactly("01", "02", "03", "12", "13", "23");
  }

  /**
   * The refusal says which shares were tried and how many subsets: the first subset (the one
   * that failed) is not counted again, and every share involved is named.
   */
  @Test
  void theRefusalCountsTheSubsetsTriedAndNamesEveryShare() throws IOException {
    Forged f = forge(0, false);
    String index = f.cap().index().toString();
    assertThatThrownBy(() -> Shares.decode(f.cap(), only(f, 0, 1, 2)))
        .isInstanceOfSatisfying(IntegrityException.class, e -> {
          assertThat(e).hasMessageStartingWith("segment 2 of file " + index + ": no 3 of shares [0, 1, 2]"
              + " rebuild the data the uploader committed to (1 combinations tried):"
              + " inconsistent erasure coding (uploader)");
          assertThat(e.badShares()).containsOnlyKeys(0, 1, 2);
          assertThat(e.badShares().get(1))
              .isEqualTo("inconsistent erasure coding (uploader) in segment 2");
        });
    // Data share 0 and parity share 7 both forged: every subset of {0, 1, 7, 8} holds one.
    Forged both = forgeTwo();
    assertThatThrownBy(() -> Shares.decode(both.cap(), only(both, 0, 1, 7, 8)))
        .isInstanceOfSatisfying(IntegrityException.class, e -> {
          assertThat(e).hasMessageContaining("no 3 of shares [0, 1, 7, 8] rebuild")
              .hasMessageContaining("(4 combinations tried)");
          assertThat(e.badShares()).containsOnlyKeys(0, 1, 7, 8);
        });
  }

  /**
   * A repairer rebuilding from a consistent k-subset of a file whose uploader forged a parity
   * share recomputes that parity honestly, so its shares would not hash to the cap: it must fail
   * loudly before closing any share, never publish shares readers would reject.
   */
  @Test
  void aRebuildOfAFileWithForgedParityFailsBeforeClosingAnyShare() throws IOException {
    Forged f = forge(7, false);
    java.util.Set<Integer> closed = new java.util.TreeSet<>();
    ShareRebuilder rebuilder = ShareRebuilder.of(f.cap().verifier(), only(f, 0, 1, 2),
        java.util.Comparator.naturalOrder());
    java.util.List<Integer> segmentsSeen = new ArrayList<>();
    assertThatThrownBy(() -> rebuilder.rebuild((i, length) -> new org.cairnfs.caps.share.ShareSink() {
      @Override
      public void write(long offset, byte[] data, int off, int len) {}

      @Override
      public void close() {
        closed.add(i);
      }
    }, segmentsSeen::add))
        .isInstanceOf(IntegrityException.class)
        .hasMessage("rebuilt shares of file " + f.cap().index() + " do not reproduce its "
            + "extension block: the uploader's parity disagrees with its data");
    assertThat(closed).isEmpty();
    assertThat(segmentsSeen).containsExactly(0, 1, 2, 3, 4);
    assertThat(rebuilder.cap()).isEqualTo(f.cap().verifier());
  }
}
