package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.merkle.MerkleTree;
import org.cairnfs.caps.share.ByteArrayShare;
import org.junit.jupiter.api.Test;

/**
 * Opening one immutable share checks it against everything the cap pins, and each check is
 * needed: a share under another number, a cap that disagrees with its own extension block on
 * k, n or size, a share claiming the number n, a chain naming the wrong nodes.
 */
class VerifiedShareTest {
  private static final Shares FILE =
      Shares.encode0(Shares.params(3, 10, 100), Shares.random(1000, 21));

  private static VerifiedShare open(int number, byte[] share, ImmutableReadCap cap)
      throws VerifiedShare.BadShareException {
    return VerifiedShare.open(number, ByteArrayShare.wrap(share), cap);
  }

  @Test
  void aGenuineShareOpens() throws Exception {
    VerifiedShare s = open(9, FILE.shares()[9], FILE.cap());
    assertThat(s.number()).isEqualTo(9);
    assertThat(s.extension().fileSize()).isEqualTo(1000);
  }

  @Test
  void aShareOpenedUnderAnotherNumberIsRefused() {
    assertThatThrownBy(() -> open(2, FILE.shares()[1], FILE.cap()))
        .isInstanceOf(VerifiedShare.BadShareException.class)
        .hasMessage("header says it is share 1");
  }

  /** The extension block hashes to the cap, but the cap's own k, n or size say otherwise. */
  @Test
  void aCapThatDisagreesWithItsExtensionBlockIsRefused() {
    ImmutableReadCap c = FILE.cap();
    ImmutableReadCap[] lying = {
        new ImmutableReadCap(c.key(), c.extensionHash(), 2, 10, 1000),
        new ImmutableReadCap(c.key(), c.extensionHash(), 3, 11, 1000),
        new ImmutableReadCap(c.key(), c.extensionHash(), 3, 10, 999)};
    for (ImmutableReadCap cap : lying) {
      assertThatThrownBy(() -> open(0, FILE.shares()[0], cap))
          .isInstanceOf(VerifiedShare.BadShareException.class)
          .hasMessageContaining("disagrees with the cap");
    }
  }

  /** Share 9 relabelled as share 10 of a 10-share file: the number n is not a share. */
  @Test
  void aShareNumberedNIsRefused() {
    byte[] relabelled = FILE.shares()[9].clone();
    ByteBuffer.wrap(relabelled).putShort(10, (short) 10);
    assertThatThrownBy(() -> open(10, relabelled, FILE.cap()))
        .isInstanceOf(VerifiedShare.BadShareException.class)
        .hasMessage("share number 10 is not below n=10");
  }

  @Test
  void theChainMustNameExactlyTheProofNodes() throws ShareFormatException {
    byte[][] nodes = new byte[MerkleTree.nodeCount(10)][32];
    byte[] chain = ShareHashChain.encode(10, 9, nodes);
    assertThat(ShareHashChain.parse(chain, 10, 9)).hasNumberOfRows(4);
    assertThatThrownBy(() -> ShareHashChain.parse(chain, 10, 10))
        .isInstanceOf(ShareFormatException.class).hasMessage("share number 10 is not below n=10");
    assertThatThrownBy(() -> ShareHashChain.parse(java.util.Arrays.copyOf(chain, 4 * 36 - 1),
        10, 9))
        .isInstanceOf(ShareFormatException.class).hasMessage("share chain must be 144 bytes, got 143");
    int[] proof = MerkleTree.proofNodes(MerkleTree.leafNode(10, 9));
    for (int i = 0; i < proof.length; i++) {
      byte[] wrong = chain.clone();
      ByteBuffer.wrap(wrong).putInt(36 * i, proof[i] + 1);
      int at = i;
      assertThatThrownBy(() -> ShareHashChain.parse(wrong, 10, 9))
          .isInstanceOf(ShareFormatException.class)
          .hasMessage("share chain entry " + at + " names node " + (proof[at] + 1) + ", expected "
              + proof[at]);
    }
  }
}
