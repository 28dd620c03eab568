package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.BitSet;
import org.cairnfs.caps.share.ShareSink;
import org.junit.jupiter.api.Test;

class ShareLayoutTest {
  @Test
  void offsetsOfTheWorkedExample() {
    ShareLayout layout = ShareLayout.of(Shares.params(3, 10, 64), 300);
    assertThat(layout.segmentCount()).isEqualTo(5);
    assertThat(layout.blockLength(0)).isEqualTo(22);
    assertThat(layout.blockLength(4)).isEqualTo(15);
    assertThat(layout.segmentLength(4)).isEqualTo(44);
    assertThat(layout.extensionOffset()).isEqualTo(60);
    assertThat(layout.chainOffset()).isEqualTo(156);
    assertThat(layout.chainLength()).isEqualTo(4);
    assertThat(layout.segmentTreeOffset()).isEqualTo(300);
    assertThat(layout.segmentTreeNodeOffset(7)).isEqualTo(300 + 7 * 32);
    assertThat(layout.blockTreeOffset()).isEqualTo(780);
    assertThat(layout.blocksOffset()).isEqualTo(1260);
    assertThat(layout.blockOffset(4)).isEqualTo(1348);
    assertThat(layout.shareLength()).isEqualTo(1363);
    assertThat(layout.prefixLength()).isEqualTo(300);
  }

  @Test
  void defaultsFor64MiB() {
    ShareLayout layout = ShareLayout.of(EncodingParams.DEFAULTS, 64L << 20);
    assertThat(layout.segmentCount()).isEqualTo(512);
    assertThat(layout.blockTreeOffset()).isEqualTo(300 + 1023 * 32);
    assertThat(layout.blocksOffset()).isEqualTo(300 + 2 * 1023 * 32);
    assertThat(layout.shareLength()).isEqualTo(300 + 2 * 1023 * 32 + 512L * 43691);
  }

  @Test
  void refusesEmptyAndTooManySegments() {
    assertThatThrownBy(() -> ShareLayout.of(EncodingParams.DEFAULTS, 0))
        .hasMessageContaining("got 0");
    assertThatThrownBy(() -> ShareLayout.of(Shares.params(1, 1, 1), (1L << 30) + 1))
        .hasMessageContaining("segments");
  }

  /**
   * A 32 MiB file generated on the fly into sinks that only count: every byte of every share is
   * written exactly once, and nothing is kept per segment (the sinks keep a bitmap, the encoder
   * only its fixed buffers; see the memory section of the spec).
   */
  @Test
  void encoderWritesEveryShareByteExactlyOnceWithoutStoringTheFile() throws IOException {
    long size = 32L << 20;
    EncodingParams params = Shares.params(3, 10, 16 * 1024);
    ShareLayout layout = ShareLayout.of(params, size);
    CoverageSink[] sinks = new CoverageSink[10];
    ImmutableEncoder.randomKey(params, new java.security.SecureRandom())
        .encode(new GeneratedSource(size), (i, length) -> sinks[i] = new CoverageSink(length));
    for (CoverageSink sink : sinks) {
      assertThat(sink.closed).isTrue();
      assertThat(sink.overlaps).isZero();
      assertThat(sink.written.cardinality()).isEqualTo(layout.shareLength());
    }
  }

  static final class GeneratedSource implements PlaintextSource {
    private final long size;

    GeneratedSource(long size) {
      this.size = size;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public InputStream open() {
      return new InputStream() {
        long position;

        @Override
        public int read() {
          return position < size ? (int) (position++ * 31 & 0xff) : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
          if (position >= size) {
            return -1;
          }
          int take = (int) Math.min(len, size - position);
          for (int i = 0; i < take; i++) {
            b[off + i] = (byte) ((position + i) * 31);
          }
          position += take;
          return take;
        }
      };
    }
  }

  static final class CoverageSink implements ShareSink {
    final BitSet written = new BitSet();
    final long length;
    int overlaps;
    boolean closed;

    CoverageSink(long length) {
      this.length = length;
    }

    @Override
    public void write(long offset, byte[] data, int off, int len) {
      assertThat(offset + len).isLessThanOrEqualTo(length);
      int from = (int) offset;
      if (written.get(from, from + len).cardinality() > 0) {
        overlaps++;
      }
      written.set(from, from + len);
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void limitsAreExactAndTheSmallestBuffersAreAsked() {
    ShareLayout one = ShareLayout.of(EncodingParams.DEFAULTS, 1);
    assertThat(one.fileSize()).isEqualTo(1);
    assertThat(one.segmentCount()).isEqualTo(1);
    // A one-segment file needs buffers of its own block length, not a full segment's.
    assertThat(one.maxBlockLength()).isEqualTo(1);
    assertThat(ShareLayout.of(EncodingParams.DEFAULTS, 10).maxBlockLength()).isEqualTo(4);
    assertThat(ShareLayout.of(Shares.params(3, 10, 64), 300).maxBlockLength()).isEqualTo(22);
    ShareLayout widest = ShareLayout.of(Shares.params(1, 1, 1), 1L << 30);
    assertThat(widest.segmentCount()).isEqualTo(1 << 30);
    assertThat(widest.toString()).isEqualTo("ShareLayout[" + Shares.params(1, 1, 1)
        + ", size=1073741824, segments=1073741824, shareLength=" + widest.shareLength() + "]");
  }
}
