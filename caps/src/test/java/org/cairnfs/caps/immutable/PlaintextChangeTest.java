package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.share.ShareSink;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, finding 5: convergent encoding hashes the plaintext in one pass and encrypts it in
 * the next; content that changed in between was encrypted under the old content's key. Now the
 * second pass hashes again and stops at the first checkpoint that differs, before that segment's
 * blocks are written.
 */
class PlaintextChangeTest {
  private static final EncodingParams PARAMS = Shares.params(2, 4, 64);

  /** Yields {@code first} on the first open and {@code second} on every later one. */
  private static PlaintextSource changing(byte[] first, byte[] second) {
    return new PlaintextSource() {
      int opens;

      @Override
      public long size() {
        return first.length;
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(opens++ == 0 ? first : second);
      }
    };
  }

  /** Records every write and close of every share. */
  private static final class Recorder implements ImmutableEncoder.ShareSinkFactory {
    final List<long[]> writes = new ArrayList<>();
    int closed;

    @Override
    public ShareSink open(int shareNumber, long shareLength) {
      return new ShareSink() {
        @Override
        public void write(long offset, byte[] data, int off, int len) {
          writes.add(new long[] {shareNumber, offset, len});
        }

        @Override
        public void close() {
          closed++;
        }
      };
    }

    /** The highest segment whose block was written to any share, -1 if none. */
    int lastBlockWritten(ShareLayout layout) {
      int last = -1;
      for (long[] w : writes) {
        if (w[1] >= layout.blocksOffset()) {
          last = Math.max(last, (int) ((w[1] - layout.blocksOffset())
              / layout.params().blockSize()));
        }
      }
      return last;
    }

    boolean wroteAHeader() {
      return writes.stream().anyMatch(w -> w[1] == 0);
    }
  }

  private static Recorder encodeExpectingChange(byte[] first, byte[] second, String message) {
    Recorder sinks = new Recorder();
    assertThatThrownBy(() -> ImmutableEncoder.convergent(PARAMS, Shares.SECRET)
        .encode(changing(first, second), sinks))
        .isInstanceOf(PlaintextChangedException.class).hasMessageContaining(message);
    assertThat(sinks.closed).as("no share completed").isZero();
    assertThat(sinks.wroteAHeader()).as("no header written").isFalse();
    return sinks;
  }

  @Test
  void aSameLengthChangeStopsBeforeTheChangedSegmentIsWritten() {
    byte[] f = Shares.random(640, 1); // 10 segments of 64
    byte[] g = f.clone();
    g[3 * 64 + 10] ^= 1; // segment 3
    Recorder sinks = encodeExpectingChange(f, g, "differ");
    assertThat(sinks.lastBlockWritten(ShareLayout.of(PARAMS, f.length))).isEqualTo(2);
  }

  @Test
  void aChangeInTheFirstSegmentWritesNothingAtAll() {
    byte[] f = Shares.random(640, 2);
    byte[] g = f.clone();
    g[0] ^= 1;
    assertThat(encodeExpectingChange(f, g, "differ").writes).isEmpty();
  }

  @Test
  void aPlaintextThatGrowsOrShrinksBetweenThePassesFails() {
    byte[] f = Shares.random(640, 3);
    byte[] longer = Arrays.copyOf(f, 700);
    encodeExpectingChange(f, longer, "grew");
    byte[] shorter = Arrays.copyOf(f, 500);
    Recorder sinks = encodeExpectingChange(f, shorter, "ended early");
    assertThat(sinks.lastBlockWritten(ShareLayout.of(PARAMS, f.length))).isLessThan(7);
  }

  @Test
  void aPlaintextShorterThanItsSizeInTheHashingPassFails() {
    PlaintextSource lying = new PlaintextSource() {
      @Override
      public long size() {
        return 640;
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(new byte[600]);
      }
    };
    assertThatThrownBy(() -> ImmutableEncoder.convergent(PARAMS, Shares.SECRET)
        .encode(lying, new Recorder()))
        .isInstanceOf(PlaintextChangedException.class).hasMessageContaining("read 600");
  }

  @Test
  void anUnchangedSourceEncodesAsBefore() throws IOException {
    byte[] f = Shares.random(640, 4);
    Recorder sinks = new Recorder();
    Cap twice = ImmutableEncoder.convergent(PARAMS, Shares.SECRET).encode(changing(f, f), sinks);
    assertThat(twice).isEqualTo(Shares.encode(PARAMS, f).cap());
    assertThat(sinks.closed).isEqualTo(4);
  }

  @Test
  void largeFilesSpaceTheCheckpointsAndWriteAtMostOneIntervalOfChangedContent() {
    EncodingParams tiny = Shares.params(1, 2, 16);
    int segments = 3 * PlaintextCheckpoints.MAX_CHECKPOINTS + 5;
    byte[] f = Shares.random(16 * segments, 5);
    byte[] g = f.clone();
    int changed = 5000;
    g[16 * changed + 3] ^= 1;
    long interval = PlaintextCheckpoints.intervalFor(f.length, 16);
    assertThat(interval).isEqualTo(4 * 16); // 4 segments per checkpoint
    Recorder sinks = new Recorder();
    assertThatThrownBy(() -> ImmutableEncoder.convergent(tiny, Shares.SECRET)
        .encode(changing(f, g), sinks)).isInstanceOf(PlaintextChangedException.class);
    int last = sinks.lastBlockWritten(ShareLayout.of(tiny, f.length));
    // Checked every 4 segments: the change in segment 5000 is caught after segment 5003 is
    // read, so segments 5000..5002 (one interval at most) went out.
    assertThat(last).isGreaterThanOrEqualTo(changed - 4).isLessThan(changed + 4);
    assertThat(sinks.closed).isZero();
  }

  @Test
  void theCheckpointIntervalGrowsExactlyPastEachMultipleOfTheCheckpointCount() {
    long max = PlaintextCheckpoints.MAX_CHECKPOINTS;
    assertThat(PlaintextCheckpoints.intervalFor(0, 10)).isEqualTo(10);
    assertThat(PlaintextCheckpoints.intervalFor(10 * max, 10)).isEqualTo(10);
    assertThat(PlaintextCheckpoints.intervalFor(10 * max - 9, 10)).isEqualTo(10);
    // One byte more makes segment max + 1, which needs two segments per checkpoint.
    assertThat(PlaintextCheckpoints.intervalFor(10 * max + 1, 10)).isEqualTo(20);
    assertThat(PlaintextCheckpoints.intervalFor(20 * max, 10)).isEqualTo(20);
    assertThat(PlaintextCheckpoints.intervalFor(20 * max + 1, 10)).isEqualTo(30);
  }

  /**
   * An array the caller owns cannot change between the passes unless the caller breaks its
   * contract, so the encoder spends no second SHA-256 pass on it (a fifth of a put's hashing):
   * such a source is trusted, which this pins by breaking the contract on purpose.
   */
  @Test
  void aFixedSourceIsTrustedAndNotHashedAgain() throws IOException {
    byte[] f = Shares.random(640, 7);
    byte[] g = f.clone();
    g[3 * 64 + 10] ^= 1;
    PlaintextSource changingButFixed = new PlaintextSource() {
      final PlaintextSource changing = changing(f, g);

      @Override
      public long size() throws IOException {
        return changing.size();
      }

      @Override
      public InputStream open() throws IOException {
        return changing.open();
      }

      @Override
      public boolean fixed() {
        return true;
      }
    };
    Recorder sinks = new Recorder();
    ImmutableEncoder.convergent(PARAMS, Shares.SECRET).encode(changingButFixed, sinks);
    assertThat(sinks.closed).isEqualTo(4);
    assertThat(PlaintextSource.of(f).fixed()).isTrue();
    assertThat(PlaintextSource.of(java.nio.file.Path.of("any")).fixed()).isFalse();
  }

  @Test
  void randomKeysReadOnceAndNeedNoCheck() throws IOException {
    byte[] f = Shares.random(640, 6);
    Recorder sinks = new Recorder();
    ImmutableEncoder.randomKey(PARAMS, new java.security.SecureRandom())
        .encode(changing(f, f.clone()), sinks);
    assertThat(sinks.closed).isEqualTo(4);
  }
}
