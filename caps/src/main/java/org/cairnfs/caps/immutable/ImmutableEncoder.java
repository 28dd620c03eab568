package org.cairnfs.caps.immutable;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Cipher;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.crypto.AesCtr;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.share.ShareSink;

/**
 * Turns plaintext into n shares and the read cap that finds and verifies them.
 *
 * <p>Per segment: read, AES-CTR encrypt in place, zero-pad to a multiple of k, Reed-Solomon
 * encode into n blocks, write block i to share i and feed its hash to share i's streaming block
 * tree; the k data leaf hashes also make the segment's commitment {@code H(SEGMENT, leaves)},
 * a leaf of the segment tree every share carries (32k bytes more hashing per segment, no extra
 * pass over the data). Memory is n block buffers plus O(n log segments) pending tree nodes,
 * whatever the file size; the buffers are reused for every segment. Files of at most {@link LiteralCap#MAX_SIZE}
 * bytes become literal caps and write no shares.
 *
 * <p>Convergent keys need two passes: one hashes the plaintext for the key, the next encrypts.
 * The second pass hashes again and compares at checkpoints ({@link PlaintextCheckpoints}), so a
 * source that changes between the passes fails with {@link PlaintextChangedException} instead of
 * encrypting other content under this content's key; for files of up to 4096 segments the
 * comparison comes before each segment's blocks are written, so no block of changed content
 * leaves. Cost: one more SHA-256 pass over the plaintext, except for a {@link
 * PlaintextSource#fixed} source (an array the caller owns), which cannot change between passes.
 *
 * <p>Instances are immutable and may be shared; each {@link #encode} call is independent.
 */
public final class ImmutableEncoder {
  /** Opens the sink for one share; called only when shares are produced. */
  @FunctionalInterface
  public interface ShareSinkFactory {
    ShareSink open(int shareNumber, long shareLength) throws IOException;
  }

  private final EncodingParams params;
  private final byte[] convergenceSecret;
  private final SecureRandom random;

  private ImmutableEncoder(EncodingParams params, byte[] convergenceSecret, SecureRandom random) {
    this.params = params;
    this.convergenceSecret = convergenceSecret;
    this.random = random;
  }

  /** Convergent encryption under {@code secret}: two passes over the plaintext. */
  public static ImmutableEncoder convergent(EncodingParams params, byte[] secret) {
    return new ImmutableEncoder(params, secret.clone(), null);
  }

  /** A fresh random key per file: one pass, no deduplication. */
  public static ImmutableEncoder randomKey(EncodingParams params, SecureRandom random) {
    return new ImmutableEncoder(params, null, random);
  }

  public EncodingParams params() {
    return params;
  }

  /**
   * Encodes {@code source}. On an exception the sinks opened so far are left for the caller to
   * discard; on success each was closed once, after it was complete.
   */
  public Cap encode(PlaintextSource source, ShareSinkFactory sinks) throws IOException {
    Prepared prepared = prepare(source);
    if (prepared.literal != null) {
      return prepared.literal;
    }
    return prepared.encode(sinks);
  }

  /**
   * Encodes under a key the caller derived, for formats whose key must follow from another
   * key (a manifest node's key is {@code H(MANIFEST_KEY, node read key)}). The key must be
   * unique to this plaintext and these params, as a convergent or random key is: the same key
   * over other content would reuse the key stream, and other params would put different
   * shares under the same storage index.
   *
   * @throws IllegalArgumentException if the plaintext is small enough to be a literal, which
   *     has no shares
   */
  public ImmutableReadCap encodeUnderKey(PlaintextSource source, byte[] key,
      ShareSinkFactory sinks) throws IOException {
    long size = source.size();
    if (size <= LiteralCap.MAX_SIZE) {
      throw new IllegalArgumentException(size + " bytes make a literal, not shares");
    }
    if (key.length != AesCtr.KEY_LENGTH) {
      throw new IllegalArgumentException("key must be 32 bytes, got " + key.length);
    }
    return encodeWithKey(source, size, key.clone(), null, sinks);
  }

  /**
   * The encoding pass. With {@code checkpoints} (convergent keys) the plaintext is hashed again
   * as it is read and compared at each checkpoint before that segment's blocks are written.
   */
  private ImmutableReadCap encodeWithKey(PlaintextSource source, long size, byte[] key,
      PlaintextCheckpoints checkpoints, ShareSinkFactory sinkFactory) throws IOException {
    ShareAssembler assembler = new ShareAssembler(params, size, sinkFactory);
    ShareLayout layout = assembler.layout();
    byte[][] blocks = assembler.blocks();
    int k = params.k();
    Cipher cipher = AesCtr.at(key, 0);
    TaggedHash plaintextHash = TaggedHash.start(Tag.PLAINTEXT);
    long position = 0;
    try (InputStream in = source.open()) {
      for (int s = 0; s < layout.segmentCount(); s++) {
        int blockLength = layout.blockLength(s);
        int remaining = layout.segmentLength(s);
        for (int j = 0; j < k; j++) {
          int take = Math.min(blockLength, remaining);
          if (in.readNBytes(blocks[j], 0, take) != take) {
            throw new PlaintextChangedException("plaintext ended early in segment " + s
                + ", before its " + size + " bytes");
          }
          if (checkpoints != null) {
            plaintextHash.update(blocks[j], 0, take);
          }
          remaining -= take;
          position += take;
        }
        if (checkpoints != null) {
          checkpoints.check(plaintextHash, position);
        }
        for (int j = 0, left = layout.segmentLength(s); j < k; j++) {
          int take = Math.min(blockLength, left);
          encrypt(cipher, blocks[j], take);
          Arrays.fill(blocks[j], take, blockLength, (byte) 0);
          left -= take;
        }
        assembler.addSegment();
      }
      if (in.read() >= 0) {
        throw new PlaintextChangedException(
            "plaintext grew while encoding beyond " + size + " bytes");
      }
      ExtensionBlock extension = assembler.extension();
      assembler.finish(extension);
      return new ImmutableReadCap(key, extension.hash(), k, params.n(), size);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static void encrypt(Cipher cipher, byte[] block, int length) {
    try {
      cipher.update(block, 0, length, block, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Fixes the key of {@code source} (reading it once when convergent) without encoding yet, so
   * a client learns the storage index and share length before it asks servers for space. Tiny
   * files come back as a literal cap and need no encoding.
   */
  public Prepared prepare(PlaintextSource source) throws IOException {
    long size = source.size();
    if (size <= LiteralCap.MAX_SIZE) {
      byte[] data;
      try (InputStream in = source.open()) {
        data = in.readNBytes(LiteralCap.MAX_SIZE + 1);
      }
      if (data.length != size) {
        throw new PlaintextChangedException("plaintext changed while encoding: size " + size
            + ", read " + data.length);
      }
      return new Prepared(this, source, size, null, null, new LiteralCap(data));
    }
    byte[] key;
    PlaintextCheckpoints checkpoints = null;
    if (convergenceSecret == null) {
      key = new byte[AesCtr.KEY_LENGTH];
      random.nextBytes(key);
    } else {
      byte[] buffer = new byte[(int) Math.min(size, Math.max(params.segmentSize(), 1 << 16))];
      PlaintextCheckpoints taken =
          PlaintextCheckpoints.take(source, size, params.segmentSize(), buffer);
      key = ConvergentKey.derive(convergenceSecret, params, taken.fileHash());
      // a fixed source yields the same bytes by construction: no second hash to check
      checkpoints = source.fixed() ? null : taken;
    }
    return new Prepared(this, source, size, key, checkpoints, null);
  }

  /**
   * Like {@link #prepare}, but under a key the caller derived ({@link #encodeUnderKey} says
   * when that is right), so that a client can place the shares of such a file on servers.
   *
   * @throws IllegalArgumentException if the plaintext is small enough to be a literal
   */
  public Prepared prepareUnderKey(PlaintextSource source, byte[] key) throws IOException {
    long size = source.size();
    if (size <= LiteralCap.MAX_SIZE) {
      throw new IllegalArgumentException(size + " bytes make a literal, not shares");
    }
    if (key.length != AesCtr.KEY_LENGTH) {
      throw new IllegalArgumentException("key must be 32 bytes, got " + key.length);
    }
    return new Prepared(this, source, size, key.clone(), null, null);
  }

  /**
   * A file whose key, storage index and layout are fixed and which can be encoded (again).
   *
   * <p>Why encoding may run more than once: shares go to servers through positional sinks, and
   * a server that dies mid-upload takes its half-written share with it. Encoding again with the
   * same key yields byte-identical shares, so a client regenerates just the lost ones (giving the
   * encoder discarding sinks for the rest) instead of buffering whole shares. Every run reads
   * the source again; {@link #encode} refuses a run whose result differs from the first (the
   * plaintext changed in between).
   */
  public static final class Prepared {
    private final ImmutableEncoder encoder;
    private final PlaintextSource source;
    private final long size;
    private final byte[] key;
    private final PlaintextCheckpoints checkpoints;
    private final LiteralCap literal;
    private ImmutableReadCap first;

    private Prepared(ImmutableEncoder encoder, PlaintextSource source, long size, byte[] key,
        PlaintextCheckpoints checkpoints, LiteralCap literal) {
      this.encoder = encoder;
      this.source = source;
      this.size = size;
      this.key = key;
      this.checkpoints = checkpoints;
      this.literal = literal;
    }

    /** The whole file as a literal cap when it is small enough; then there is nothing to encode. */
    public Optional<LiteralCap> literal() {
      return Optional.ofNullable(literal);
    }

    /** Plaintext bytes. */
    public long size() {
      return size;
    }

    /** Storage index of the shares (not for literal files). */
    public StorageIndex index() {
      requireShares();
      return StorageIndex.truncating(TaggedHash.of(Tag.IMMUTABLE_STORAGE_INDEX, key));
    }

    /** Where everything sits in each share, and each share's length (not for literal files). */
    public ShareLayout layout() {
      requireShares();
      return ShareLayout.of(encoder.params, size);
    }

    public EncodingParams params() {
      return encoder.params;
    }

    /**
     * Encodes all n shares into sinks from {@code sinks}, as {@link ImmutableEncoder#encode}
     * does, and returns the read cap.
     *
     * @throws IOException from the source or a sink, or when a repeated run does not reproduce
     *     the first one's shares (the plaintext changed)
     */
    public synchronized ImmutableReadCap encode(ShareSinkFactory sinks) throws IOException {
      requireShares();
      ImmutableReadCap cap = encoder.encodeWithKey(source, size, key, checkpoints, sinks);
      if (first == null) {
        first = cap;
      } else if (!first.equals(cap)) {
        throw new PlaintextChangedException("plaintext changed between two encodings of the "
            + "same file: the shares no longer match the first run");
      }
      return cap;
    }

    private void requireShares() {
      if (literal != null) {
        throw new IllegalStateException("a literal file of " + size + " bytes has no shares");
      }
    }
  }
}
