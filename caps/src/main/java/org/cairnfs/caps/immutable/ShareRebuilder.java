package org.cairnfs.caps.immutable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.Map;
import java.util.function.IntConsumer;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.share.ShareSource;

/**
 * Regenerates shares of an immutable file from any k good ones, holding only its verify cap.
 *
 * <p>Why no read key is needed: shares hold ciphertext, and everything else in a share
 * (parity blocks, block trees, share hash chain, segment tree, extension block) is computed from
 * ciphertext alone. So the rebuilder verifies k shares block by block ({@link
 * ImmutableDecoder#ofCiphertext}), takes each segment's ciphertext data blocks, and feeds them to
 * the same {@link ShareAssembler} the encoder uses: the shares it writes are byte for byte the
 * uploader's. Before any share is closed, the extension block they reproduce must hash to the
 * cap's, so a rebuild can never complete shares that readers would reject (an uploader whose
 * parity disagreed with its data fails here, loudly).
 *
 * <p>{@link #rebuild} may run more than once (a server lost mid-repair gets its share again
 * elsewhere); each run reads the k sources again. Memory: the decoder's n block buffers, the
 * assembler's n more, and tree state; not the file. Not thread-safe.
 */
public final class ShareRebuilder {
  private final ImmutableVerifyCap cap;
  private final ImmutableDecoder decoder;

  private ShareRebuilder(ImmutableVerifyCap cap, ImmutableDecoder decoder) {
    this.cap = cap;
    this.decoder = decoder;
  }

  /**
   * A rebuilder reading the given shares (keyed by the share number each claims to be), opened
   * in {@code preference} order.
   */
  public static ShareRebuilder of(ImmutableVerifyCap cap, Map<Integer, ShareSource> shares,
      Comparator<Integer> preference) {
    return new ShareRebuilder(cap, ImmutableDecoder.ofCiphertext(cap, shares, preference));
  }

  public ImmutableVerifyCap cap() {
    return cap;
  }

  /** The file's layout, from the first share that verifies. */
  public ShareLayout layout() throws IntegrityException {
    return decoder.layout();
  }

  /** Shares dropped so far and why. */
  public Map<Integer, String> badShares() {
    return decoder.badShares();
  }

  /**
   * Writes all n shares to sinks from {@code sinks} (give a discarding sink for shares not
   * wanted) and closes each once complete.
   *
   * @param beforeSegment called with each segment number before its blocks are read (a network
   *     source prefetches there); may be a no-op
   * @throws IntegrityException if fewer than k shares verify, or the rebuilt shares do not
   *     reproduce the file's extension block (then no sink was closed)
   */
  public void rebuild(ImmutableEncoder.ShareSinkFactory sinks, IntConsumer beforeSegment)
      throws IOException {
    ShareLayout layout = decoder.layout();
    ShareAssembler assembler = new ShareAssembler(layout.params(), layout.fileSize(), sinks);
    byte[][] blocks = assembler.blocks();
    try {
      for (int s = 0; s < layout.segmentCount(); s++) {
        beforeSegment.accept(s);
        decoder.readCiphertext(s, ImmutableDecoder.SEQUENTIAL_RUN, blocks);
        assembler.addSegment();
      }
      ExtensionBlock rebuilt = assembler.extension();
      // The verified extension block hashes to the cap too, so this also means rebuilt equals it.
      if (!MessageDigest.isEqual(rebuilt.hash(), cap.extensionHash())) {
        throw new IntegrityException("rebuilt shares of file " + cap.index() + " do not "
            + "reproduce its extension block: the uploader's parity disagrees with its data",
            decoder.badShares());
      }
      assembler.finish(rebuilt);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
