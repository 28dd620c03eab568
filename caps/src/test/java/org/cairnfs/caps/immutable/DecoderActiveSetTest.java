package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
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
import org.junit.jupiter.api.Test;

/**
 * Which shares the decoder uses, and for what: the segment hashes come from the lowest-numbered
 * share in use, a share whose segment tree does not prove is dropped and the set topped up from
 * the other candidates, a block already read is not read again when another share drops out,
 * and the search for a consistent subset stops after {@link VerifiedSegments#MAX_COMBINATIONS}.
 */
class DecoderActiveSetTest {
  static final EncodingParams PARAMS = Shares.params(3, 10, 64);
  static final int SIZE = 300;

  /** Share {@code number} of {@code s} with every stored segment tree node but the root flipped. */
  static byte[] badSegmentTree(Shares s, int number) {
    ShareLayout layout = ShareLayout.of(PARAMS, SIZE);
    byte[] bad = s.shares()[number].clone();
    for (long at = layout.segmentTreeNodeOffset(1); at < layout.blockTreeOffset(); at++) {
      bad[(int) at] ^= 0x55;
    }
    return bad;
  }

  static byte[] decode(ImmutableDecoder decoder) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    decoder.decode(out);
    return out.toByteArray();
  }

  @Test
  void theSegmentHashesComeFromTheLowestNumberedShareInUse() throws IOException {
    Shares s = Shares.encode(PARAMS, Shares.random(SIZE, 1));
    Map<Integer, ShareSource> sources = s.sources(1, 2, 3);
    sources.put(0, ByteArrayShare.wrap(badSegmentTree(s, 0)));
    ImmutableDecoder decoder = ImmutableDecoder.of(s.cap(), sources);
    assertThat(decode(decoder)).isEqualTo(s.plaintext());
    assertThat(decoder.badShares()).containsOnlyKeys(0);
    assertThat(decoder.badShares().get(0)).startsWith("segment hashes of segments ")
        .endsWith(" do not prove");
  }

  /**
   * Every share first in use has a bad segment tree: each is dropped in turn and the set is
   * topped up from the other candidates before the next is asked, never left empty.
   */
  @Test
  void whenEveryShareInUseHasABadSegmentTreeTheOthersAreTakenUp() throws IOException {
    Shares s = Shares.encode(PARAMS, Shares.random(SIZE, 2));
    Map<Integer, ShareSource> sources = s.sources(3, 4, 5);
    for (int i = 0; i < 3; i++) {
      sources.put(i, ByteArrayShare.wrap(badSegmentTree(s, i)));
    }
    ImmutableDecoder decoder = ImmutableDecoder.of(s.cap(), sources);
    assertThat(decode(decoder)).isEqualTo(s.plaintext());
    assertThat(decoder.badShares()).containsOnlyKeys(0, 1, 2);

    Map<Integer, ShareSource> onlyBad = new TreeMap<>();
    for (int i = 0; i < 4; i++) {
      onlyBad.put(i, ByteArrayShare.wrap(badSegmentTree(s, i)));
    }
    assertThatThrownBy(() -> decode(ImmutableDecoder.of(s.cap(), onlyBad)))
        .isInstanceOfSatisfying(IntegrityException.class, e -> {
          assertThat(e).hasMessageStartingWith("need 3 good shares of file " + s.cap().index()
              + ", found 2");
          // 0 is dropped, 3 tops the set up, 1 is dropped and nothing is left to take up.
          assertThat(e.badShares()).containsOnlyKeys(0, 1);
        });
  }

  /**
   * When a share's block fails and another share is taken up, the blocks already read and
   * checked are kept, not fetched again (a second fetch costs a round trip, and a server failing
   * on it would drop a share whose block was good).
   */
  @Test
  void aBlockAlreadyReadIsNotReadAgainWhenAnotherShareDropsOut() throws IOException {
    Shares s = Shares.encode(PARAMS, Shares.random(SIZE, 3));
    ShareLayout layout = ShareLayout.of(PARAMS, SIZE);
    byte[] badBlock = s.shares()[1].clone();
    badBlock[(int) layout.blockOffset(0)] ^= 1;
    Map<Integer, ShareSource> sources = s.sources(0, 2, 3);
    sources.put(1, ByteArrayShare.wrap(badBlock));
    long from = layout.blockOffset(0);
    long to = from + layout.blockLength(0);
    Map<Integer, Integer> blockReads = new TreeMap<>();
    for (int i : List.copyOf(sources.keySet())) {
      ShareSource inner = sources.get(i);
      sources.put(i, (offset, dst, off, len) -> {
        if (offset < to && offset + len > from) {
          if (blockReads.merge(i, 1, Integer::sum) > 1) {
            throw new IOException("share " + i + " asked twice for the block of segment 0");
          }
        }
        inner.read(offset, dst, off, len);
      });
    }
    ImmutableDecoder decoder = ImmutableDecoder.of(s.cap(), sources);
    assertThat(decode(decoder)).isEqualTo(s.plaintext());
    assertThat(decoder.badShares()).containsOnlyKeys(1);
    assertThat(decoder.badShares().get(1)).isEqualTo("block 0 does not match its hash");
    assertThat(blockReads).containsOnly(Map.entry(0, 1), Map.entry(1, 1), Map.entry(2, 1),
        Map.entry(3, 1));
  }

  /**
   * An uploader that committed to a segment no subset rebuilds, with 4 of 12 (495 subsets):
   * the decoder gives up after 256 subsets besides the first, and says so.
   */
  @Test
  void theSearchForAConsistentSubsetStopsAfter256() throws IOException, ShareFormatException {
    int k = 4;
    int n = 12;
    EncodingParams params = Shares.params(k, n, 64);
    Shares honest = Shares.encode(params, Shares.random(SIZE, 4));
    ShareLayout layout = ShareLayout.of(params, SIZE);
    int segments = layout.segmentCount();
    List<byte[]> leaves = new ArrayList<>();
    for (int seg = 0; seg < segments; seg++) {
      TaggedHash h = TaggedHash.start(Tag.SEGMENT);
      for (int j = 0; j < k; j++) {
        h.update(InconsistentUploadTest.blockLeaf(honest.shares()[j], layout, seg));
      }
      leaves.add(seg == 2 ? TaggedHash.of(Tag.SEGMENT, new byte[] {1}) : h.finish());
    }
    byte[][] segmentTree = MerkleTree.allNodes(leaves);
    int extensionAt = (int) layout.extensionOffset();
    ExtensionBlock old = ExtensionBlock.parse(Arrays.copyOfRange(honest.shares()[0],
        extensionAt, extensionAt + ExtensionBlock.LENGTH));
    assertThat(old.segmentTreeRoot()).as("the honest tree, recomputed")
        .isNotEqualTo(segmentTree[0]);
    ExtensionBlock extension =
        new ExtensionBlock(params, SIZE, segments, old.shareTreeRoot(), segmentTree[0]);
    Map<Integer, ShareSource> sources = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      byte[] share = honest.shares()[i].clone();
      InconsistentUploadTest.writeTree(share, layout.segmentTreeOffset(), segmentTree);
      System.arraycopy(extension.encode(), 0, share, extensionAt, ExtensionBlock.LENGTH);
      sources.put(i, ByteArrayShare.wrap(share));
    }
    ImmutableReadCap cap = new ImmutableReadCap(honest.cap().key(), extension.hash(), k, n, SIZE);
    ImmutableDecoder decoder = ImmutableDecoder.of(cap, sources);
    assertThat(decoder.readSegment(1)).isEqualTo(Arrays.copyOfRange(honest.plaintext(), 64, 128));
    assertThatThrownBy(() -> decoder.readSegment(2))
        .isInstanceOfSatisfying(IntegrityException.class, e -> {
          assertThat(e).hasMessageContaining("segment 2 of file " + cap.index() + ": no 4 of shares "
              + "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] rebuild the data the uploader committed to"
              + " (257 combinations tried)");
          assertThat(e.badShares()).hasSize(n);
        });
  }
}
