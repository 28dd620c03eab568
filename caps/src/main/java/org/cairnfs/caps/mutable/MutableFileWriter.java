package org.cairnfs.caps.mutable;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import org.cairnfs.caps.crypto.AesCtr;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.erasure.ErasureCodec;
import org.cairnfs.caps.merkle.MerkleTree;
import org.cairnfs.caps.merkle.MerkleTreeBuilder;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSink;
import org.cairnfs.caps.share.ShareTreeLeaf;

/**
 * Encodes one version of a mutable file into n shares.
 *
 * <p>One pass over the plaintext: each segment is encrypted (AES-256-CTR under {@code
 * H(MUTABLE_DATA_KEY, readKey || salt)}, fresh random salt per version), erasure-coded into n
 * blocks, and each block written to its share and hashed into that share's streaming block
 * tree, whose nodes go to the share as they complete. Only then is the share hash tree known,
 * so the signed header and the rest of each share's front are written last. Memory: one
 * segment plus n blocks (about {@code segmentSize * (1 + n/k)}) and O(n log segments) tree
 * state, whatever the file size. Time: one AES, one Reed-Solomon and n SHA-256 passes over the
 * data, plus one Ed25519 signature.
 */
public final class MutableFileWriter {
  private MutableFileWriter() {}

  /** Encodes {@code plaintext} into n share byte arrays (index = share number). */
  public static byte[][] write(MutableKeys keys, long seqnum, byte[] plaintext,
      MutableParams params, SecureRandom random) {
    int segment = params.effectiveSegmentSize(plaintext.length);
    ShareLayout layout = new ShareLayout(params.k(), params.n(), segment, plaintext.length);
    byte[][] shares = new byte[params.n()][arrayLength(layout)];
    List<ShareSink> sinks = new ArrayList<>();
    for (byte[] share : shares) {
      sinks.add(ByteArrayShare.wrap(share));
    }
    try {
      write(keys, seqnum, new ByteArrayInputStream(plaintext), plaintext.length, params, random,
          sinks);
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory write failed", e);
    }
    return shares;
  }

  /** The length of one share as an array, or a refusal when it would not fit one. */
  static int arrayLength(ShareLayout layout) {
    if (layout.end() > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a share of " + layout.end()
          + " bytes does not fit an array; use the streaming form");
    }
    return (int) layout.end();
  }

  /**
   * Encodes {@code length} bytes from {@code plaintext} into {@code sinks} (index = share
   * number), writing each share's every byte exactly once.
   *
   * @return the signed header of the new version
   * @throws EOFException if {@code plaintext} ends before {@code length} bytes
   */
  public static SignedHeader write(MutableKeys keys, long seqnum, InputStream plaintext,
      long length, MutableParams params, SecureRandom random, List<? extends ShareSink> sinks)
      throws IOException {
    int k = params.k();
    int n = params.n();
    if (sinks.size() != n) {
      throw new IllegalArgumentException("need " + n + " share sinks, got " + sinks.size());
    }
    int segmentSize = params.effectiveSegmentSize(length);
    SignedHeader.checkParams(k, n, segmentSize, length);
    if (seqnum < 0) {
      throw new IllegalArgumentException("seqnum must not be negative, got " + seqnum);
    }
    ShareLayout layout = new ShareLayout(k, n, segmentSize, length);
    byte[] salt = new byte[SignedHeader.SALT_LENGTH];
    random.nextBytes(salt);
    Cipher cipher = AesCtr.at(TaggedHash.of(Tag.MUTABLE_DATA_KEY, keys.readKey(), salt), 0);

    int segments = layout.segments();
    MerkleTreeBuilder[] trees = new MerkleTreeBuilder[n];
    for (int i = 0; i < n; i++) {
      trees[i] = new MerkleTreeBuilder(segments, sinks.get(i).treeNodesAt(layout::treeNodeOffset));
    }
    ErasureCodec codec = ErasureCodec.of(k, n);
    byte[] segment = new byte[segmentSize];
    byte[][] blocks = new byte[n][segmentSize / k];
    TaggedHash blockHash = TaggedHash.start(Tag.BLOCK);
    try {
      for (int j = 0; j < segments; j++) {
        int len = layout.segmentLength(j);
        int blockSize = layout.blockSize(j);
        if (plaintext.readNBytes(segment, 0, len) != len) {
          throw new EOFException("plaintext ended before its declared " + length + " bytes");
        }
        cipher.update(segment, 0, len, segment, 0);
        Arrays.fill(segment, len, blockSize * k, (byte) 0);
        for (int d = 0; d < k; d++) {
          System.arraycopy(segment, d * blockSize, blocks[d], 0, blockSize);
        }
        codec.encode(blocks, 0, blockSize);
        for (int i = 0; i < n; i++) {
          sinks.get(i).write(layout.blockOffset(j), blocks[i], 0, blockSize);
          trees[i].add(blockHash.update(blocks[i], 0, blockSize).finish());
        }
      }
      byte[][] leaves = new byte[n][];
      for (int i = 0; i < n; i++) {
        leaves[i] = ShareTreeLeaf.of(i, trees[i].root());
      }
      byte[][] shareTree = MerkleTree.allNodes(Arrays.asList(leaves));
      SignedHeader header = new SignedHeader(seqnum, shareTree[0], salt, k, n, segmentSize,
          length);
      byte[] signature = keys.sign(header.signedDigest());
      byte[] publicKey = keys.publicKey();
      byte[] encryptedSeed = keys.encryptedSeed();
      for (int i = 0; i < n; i++) {
        int[] proof = MerkleTree.proofNodes(MerkleTree.leafNode(n, i));
        byte[][] chain = new byte[proof.length][];
        for (int p = 0; p < proof.length; p++) {
          chain[p] = shareTree[proof[p]];
        }
        byte[] prefix = MutableShare.encodePrefix(header, publicKey, signature, i,
            encryptedSeed, chain);
        sinks.get(i).write(0, prefix, 0, prefix.length);
      }
      return header;
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CTR failed", e);
    }
  }
}
