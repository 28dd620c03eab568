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
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSource;
import org.junit.jupiter.api.Test;

/**
 * A plaintext that grows, shrinks or changes while it is encoded (a file written to during an
 * upload) must fail the upload, never produce a cap whose shares hold something else.
 */
class ChangingPlaintextTest {
  static final EncodingParams PARAMS = Shares.params(3, 10, 1000);
  static final int SIZE = 2500;

  /** Declares {@code size} bytes; the n-th {@link #open()} serves {@code passes[n]}. */
  static final class ChangingSource implements PlaintextSource {
    private final long size;
    private final byte[][] passes;
    private int opened;

    ChangingSource(long size, byte[]... passes) {
      this.size = size;
      this.passes = passes;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public InputStream open() {
      byte[] data = passes[Math.min(opened, passes.length - 1)];
      opened++;
      return new ByteArrayInputStream(data);
    }

    int opened() {
      return opened;
    }
  }

  private final List<Integer> sinksOpened = new ArrayList<>();
  private final ByteArrayShare[] shares = new ByteArrayShare[PARAMS.n()];

  private Cap encode(ImmutableEncoder encoder, PlaintextSource source) throws IOException {
    return encoder.encode(source, (i, length) -> {
      sinksOpened.add(i);
      return shares[i] = new ByteArrayShare(length);
    });
  }

  private static ImmutableEncoder convergent() {
    return ImmutableEncoder.convergent(PARAMS, Shares.SECRET);
  }

  private static ImmutableEncoder randomKey() {
    return ImmutableEncoder.randomKey(PARAMS, new java.security.SecureRandom());
  }

  private static byte[] plus(byte[] data, int extra) {
    return Arrays.copyOf(data, data.length + extra);
  }

  @Test
  void aFirstPassLongerThanTheSizeFailsBeforeAnyShareIsOpened() {
    byte[] data = Shares.random(SIZE, 1);
    ChangingSource source = new ChangingSource(SIZE, plus(data, 1));
    assertThatThrownBy(() -> encode(convergent(), source))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("size " + SIZE + ", read " + (SIZE + 1));
    assertThat(sinksOpened).isEmpty();
  }

  /**
   * A source that never ends (a pipe or device posing as a file) is read only one byte past its
   * declared size: the hashing pass stops there rather than read on for ever.
   */
  @Test
  void aSourceThatNeverEndsIsReadOnlyJustPastItsSize() {
    long[] served = new long[1];
    long bound = 64L * SIZE;
    PlaintextSource endless = new PlaintextSource() {
      @Override
      public long size() {
        return SIZE;
      }

      @Override
      public InputStream open() {
        return new InputStream() {
          @Override
          public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1);
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (served[0] >= bound) {
              throw new IllegalStateException("read " + served[0] + " bytes of an endless stream");
            }
            Arrays.fill(b, off, off + len, (byte) 7);
            served[0] += len;
            return len;
          }
        };
      }
    };
    assertThatThrownBy(() -> encode(convergent(), endless))
        .isInstanceOf(PlaintextChangedException.class)
        .hasMessageContaining("size " + SIZE + ", read " + (SIZE + 1));
    assertThat(served[0]).isEqualTo(SIZE + 1);
    assertThat(sinksOpened).isEmpty();
  }

  @Test
  void aFirstPassShorterThanTheSizeFailsBeforeAnyShareIsOpened() {
    byte[] data = Shares.random(SIZE, 2);
    ChangingSource source = new ChangingSource(SIZE, Arrays.copyOf(data, SIZE - 1));
    assertThatThrownBy(() -> encode(convergent(), source))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("size " + SIZE + ", read " + (SIZE - 1));
    assertThat(sinksOpened).isEmpty();
  }

  @Test
  void growingByOneByteBetweenPassesFails() {
    byte[] data = Shares.random(SIZE, 3);
    ChangingSource source = new ChangingSource(SIZE, data, plus(data, 1));
    assertThatThrownBy(() -> encode(convergent(), source))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("grew");
    assertThat(source.opened()).isEqualTo(2);
  }

  @Test
  void shrinkingByOneByteBetweenPassesFails() {
    byte[] data = Shares.random(SIZE, 4);
    ChangingSource source = new ChangingSource(SIZE, data, Arrays.copyOf(data, SIZE - 1));
    assertThatThrownBy(() -> encode(convergent(), source))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("ended early");
  }

  @Test
  void aOnePassEncodeOfAGrowingStreamFails() {
    byte[] data = Shares.random(SIZE, 5);
    ChangingSource source = new ChangingSource(SIZE, plus(data, 1));
    assertThatThrownBy(() -> encode(randomKey(), source))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("grew while encoding beyond " + SIZE);
    assertThat(source.opened()).isEqualTo(1);
  }

  @Test
  void aOnePassEncodeOfAShrinkingStreamFails() {
    byte[] data = Shares.random(SIZE, 6);
    ChangingSource source = new ChangingSource(SIZE, Arrays.copyOf(data, SIZE - 1));
    assertThatThrownBy(() -> encode(randomKey(), source))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("ended early in segment 2");
  }

  @Test
  void aStreamOfExactlyTheDeclaredSizeEncodesInOnePassOrTwo() throws IOException {
    byte[] data = Shares.random(SIZE, 7);
    ChangingSource once = new ChangingSource(SIZE, data);
    Cap random = encode(randomKey(), once);
    assertThat(once.opened()).isEqualTo(1);
    assertThat(decode((ImmutableReadCap) random)).isEqualTo(data);
    ChangingSource twice = new ChangingSource(SIZE, data);
    Cap convergent = encode(convergent(), twice);
    assertThat(twice.opened()).isEqualTo(2);
    assertThat(decode((ImmutableReadCap) convergent)).isEqualTo(data);
  }

  /**
   * Same size, other bytes in the second pass: the encoder re-hashes the second pass against the
   * first pass's checkpoints and refuses, so no cap is ever returned for content the convergent
   * key was not derived from.
   */
  @Test
  void contentChangedBetweenPassesIsRefused() {
    byte[] first = Shares.random(SIZE, 8);
    byte[] second = first.clone();
    second[SIZE / 2] ^= 1;
    ChangingSource source = new ChangingSource(SIZE, first, second);
    assertThatThrownBy(() -> encode(convergent(), source))
        .isInstanceOf(PlaintextChangedException.class);
    assertThat(source.opened()).isEqualTo(2);
  }

  @Test
  void aChangeInTheLastByteIsRefusedToo() {
    byte[] first = Shares.random(SIZE, 11);
    byte[] second = first.clone();
    second[SIZE - 1] ^= (byte) 0x80;
    assertThatThrownBy(() -> encode(convergent(), new ChangingSource(SIZE, first, second)))
        .isInstanceOf(PlaintextChangedException.class);
  }

  @Test
  void aLiteralSizedFileThatGrowsOrShrinksFails() {
    byte[] data = Shares.random(20, 9);
    assertThatThrownBy(() -> encode(convergent(), new ChangingSource(20, plus(data, 1))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("size 20, read 21");
    assertThatThrownBy(() -> encode(convergent(), new ChangingSource(20, Arrays.copyOf(data, 19))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("size 20, read 19");
    assertThat(sinksOpened).isEmpty();
  }

  @Test
  void theLargestLiteralIsLiteralAndOneMoreByteIsNot() throws IOException {
    byte[] data = Shares.random(LiteralCap.MAX_SIZE + 1, 10);
    Cap literal = encode(convergent(), PlaintextSource.of(Arrays.copyOf(data, LiteralCap.MAX_SIZE)));
    assertThat(literal).isEqualTo(new LiteralCap(Arrays.copyOf(data, LiteralCap.MAX_SIZE)));
    assertThat(sinksOpened).isEmpty();
    Cap shares = encode(convergent(), PlaintextSource.of(data));
    assertThat(shares).isInstanceOf(ImmutableReadCap.class);
    assertThat(decode((ImmutableReadCap) shares)).isEqualTo(data);
  }

  private byte[] decode(ImmutableReadCap cap) throws IOException {
    java.util.Map<Integer, ShareSource> sources = new java.util.TreeMap<>();
    for (int i = 0; i < shares.length; i++) {
      sources.put(i, ByteArrayShare.wrap(shares[i].bytes()));
    }
    return Shares.decode(cap, sources);
  }
}
