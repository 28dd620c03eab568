package org.cairnfs.caps.immutable;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;

/**
 * Digests of the plaintext's prefixes, {@code H(PLAINTEXT, plaintext[0, p))}, at segment-aligned
 * positions p, taken in convergent encoding's hashing pass and checked again in its encoding
 * pass. The last checkpoint is the whole file, whose digest goes into the convergent key.
 *
 * <p>Why checkpoints and not one final comparison: the encoding pass writes each segment's blocks
 * as it goes, so a change noticed only at the end would already have sent content encrypted under
 * another content's key. With a checkpoint after every segment (files of up to {@link
 * #MAX_CHECKPOINTS} segments) nothing of a changed segment is written; larger files space the
 * checkpoints evenly, so at most one interval ({@code size / MAX_CHECKPOINTS}, rounded up to
 * whole segments) is written before the change is caught. Memory: 32 bytes per checkpoint, at
 * most 128 KiB.
 */
final class PlaintextCheckpoints {
  static final int MAX_CHECKPOINTS = 4096;

  private final long size;
  private final long interval;
  private final byte[] digests;

  private PlaintextCheckpoints(long size, long interval, byte[] digests) {
    this.size = size;
    this.interval = interval;
    this.digests = digests;
  }

  /** Bytes between checkpoints: whole segments, at most {@link #MAX_CHECKPOINTS} of them. */
  static long intervalFor(long size, int segmentSize) {
    long segments = Math.max(1, (size + segmentSize - 1) / segmentSize);
    long segmentsPerCheckpoint = (segments + MAX_CHECKPOINTS - 1) / MAX_CHECKPOINTS;
    return segmentsPerCheckpoint * segmentSize;
  }

  /**
   * The hashing pass: reads {@code source} once through {@code buffer}.
   *
   * @throws PlaintextChangedException if it does not yield exactly {@code size} bytes
   */
  static PlaintextCheckpoints take(PlaintextSource source, long size, int segmentSize,
      byte[] buffer) throws IOException {
    long interval = intervalFor(size, segmentSize);
    int count = (int) Math.max(1, (size + interval - 1) / interval);
    byte[] digests = new byte[count * TaggedHash.LENGTH];
    TaggedHash hash = TaggedHash.start(Tag.PLAINTEXT);
    long total = 0;
    int taken = 0;
    try (InputStream in = source.open()) {
      while (true) {
        long nextCheckpoint = Math.min(size, (taken + 1) * interval);
        int want = (int) Math.min(buffer.length, Math.max(1, nextCheckpoint - total));
        int got = in.read(buffer, 0, want);
        if (got < 0) {
          break;
        }
        hash.update(buffer, 0, got);
        total += got;
        if (total > size) {
          break;
        }
        if (total == nextCheckpoint && taken < count - 1) {
          System.arraycopy(hash.peek(), 0, digests, taken++ * TaggedHash.LENGTH,
              TaggedHash.LENGTH);
        }
      }
    }
    if (total != size) {
      throw new PlaintextChangedException("plaintext changed while encoding: size " + size
          + ", read " + total);
    }
    System.arraycopy(hash.finish(), 0, digests, (count - 1) * TaggedHash.LENGTH,
        TaggedHash.LENGTH);
    return new PlaintextCheckpoints(size, interval, digests);
  }

  /** H(PLAINTEXT, whole plaintext): what the convergent key is derived from. */
  byte[] fileHash() {
    byte[] out = new byte[TaggedHash.LENGTH];
    System.arraycopy(digests, digests.length - TaggedHash.LENGTH, out, 0, TaggedHash.LENGTH);
    return out;
  }

  /**
   * Called by the encoding pass after feeding {@code hash} the plaintext up to {@code position}
   * (a segment end): when a checkpoint sits there, compares.
   *
   * @throws PlaintextChangedException if the plaintext so far differs from the hashing pass
   */
  void check(TaggedHash hash, long position) throws PlaintextChangedException {
    if (position != size && position % interval != 0) {
      return;
    }
    int index = position == size ? digests.length / TaggedHash.LENGTH - 1
        : (int) (position / interval) - 1;
    byte[] now = hash.peek();
    if (!MessageDigest.isEqual(now, java.util.Arrays.copyOfRange(digests,
        index * TaggedHash.LENGTH, (index + 1) * TaggedHash.LENGTH))) {
      throw new PlaintextChangedException("plaintext changed while encoding: bytes before "
          + position + " differ from the ones the convergent key was derived from");
    }
  }
}
