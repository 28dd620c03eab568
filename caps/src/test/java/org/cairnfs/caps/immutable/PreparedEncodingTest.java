package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSink;
import org.junit.jupiter.api.Test;

/** Preparing fixes key, index and layout before encoding; encoding again reproduces shares. */
class PreparedEncodingTest {
  private static final EncodingParams PARAMS = Shares.params(3, 10, 100);

  @Test
  void indexAndLayoutAreKnownBeforeEncodingAndMatchTheCap() throws IOException {
    byte[] data = Shares.random(1234, 1);
    ImmutableEncoder.Prepared prepared = ImmutableEncoder.convergent(PARAMS, Shares.SECRET)
        .prepare(PlaintextSource.of(data));
    assertThat(prepared.literal()).isEmpty();
    assertThat(prepared.size()).isEqualTo(1234);
    assertThat(prepared.params()).isEqualTo(PARAMS);
    assertThat(ImmutableEncoder.randomKey(PARAMS, new SecureRandom()).params()).isEqualTo(PARAMS);
    long[] lengths = new long[10];
    ImmutableReadCap cap = prepared.encode((i, length) -> {
      lengths[i] = length;
      return new ByteArrayShare(length);
    });
    assertThat(prepared.index()).isEqualTo(cap.index());
    assertThat(lengths).containsOnly(prepared.layout().shareLength());
    assertThat(cap).isEqualTo(Shares.encode(PARAMS, data).cap());
  }

  @Test
  void preparingUnderAGivenKeyEncodesExactlyAsEncodeUnderKey() throws IOException {
    byte[] data = Shares.random(5000, 3);
    byte[] key = new byte[32];
    key[0] = 7;
    ImmutableEncoder encoder = ImmutableEncoder.randomKey(PARAMS, new SecureRandom());
    ImmutableEncoder.Prepared prepared = encoder.prepareUnderKey(PlaintextSource.of(data), key);
    key[0] = 8; // the prepared file keeps its own copy
    ByteArrayShare[] a = new ByteArrayShare[10];
    ImmutableReadCap cap = prepared.encode((i, length) -> a[i] = new ByteArrayShare(length));
    key[0] = 7;
    ByteArrayShare[] b = new ByteArrayShare[10];
    ImmutableReadCap direct = encoder.encodeUnderKey(PlaintextSource.of(data), key,
        (i, length) -> b[i] = new ByteArrayShare(length));
    assertThat(cap).isEqualTo(direct);
    assertThat(cap.key()).isEqualTo(key);
    assertThat(prepared.index()).isEqualTo(cap.index());
    for (int i = 0; i < 10; i++) {
      assertThat(a[i].bytes()).isEqualTo(b[i].bytes());
    }
    assertThatThrownBy(() -> encoder.prepareUnderKey(PlaintextSource.of(new byte[55]), key))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("literal");
    assertThatThrownBy(() -> encoder.prepareUnderKey(PlaintextSource.of(data), new byte[16]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
  }

  @Test
  void aSecondEncodingRegeneratesIdenticalSharesEvenWithARandomKey() throws IOException {
    byte[] data = Shares.random(777, 2);
    ImmutableEncoder.Prepared prepared =
        ImmutableEncoder.randomKey(PARAMS, new SecureRandom()).prepare(PlaintextSource.of(data));
    ByteArrayShare[] first = new ByteArrayShare[10];
    ImmutableReadCap cap = prepared.encode((i, length) -> first[i] = new ByteArrayShare(length));
    // The second run keeps only shares 4 and 7, discarding the others as a client does.
    ByteArrayShare[] again = new ByteArrayShare[10];
    Set<Integer> closed = new HashSet<>();
    ImmutableReadCap second = prepared.encode((i, length) -> {
      if (i == 4 || i == 7) {
        again[i] = new ByteArrayShare(length);
        return new ShareSink() {
          @Override
          public void write(long offset, byte[] d, int off, int len) {
            again[i].write(offset, d, off, len);
          }

          @Override
          public void close() {
            closed.add(i);
          }
        };
      }
      return (offset, d, off, len) -> { };
    });
    assertThat(second).isEqualTo(cap);
    assertThat(again[4].bytes()).isEqualTo(first[4].bytes());
    assertThat(again[7].bytes()).isEqualTo(first[7].bytes());
    assertThat(closed).containsExactlyInAnyOrder(4, 7);
  }

  @Test
  void aSecondEncodingOfChangedPlaintextIsRefused() throws IOException {
    byte[] data = Shares.random(500, 3);
    byte[][] current = {data};
    PlaintextSource changing = new PlaintextSource() {
      @Override
      public long size() {
        return current[0].length;
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(current[0]);
      }
    };
    ImmutableEncoder.Prepared prepared =
        ImmutableEncoder.randomKey(PARAMS, new SecureRandom()).prepare(changing);
    prepared.encode((i, length) -> new ByteArrayShare(length));
    byte[] edited = data.clone();
    edited[250] ^= 1;
    current[0] = edited;
    assertThatThrownBy(() -> prepared.encode((i, length) -> new ByteArrayShare(length)))
        .isInstanceOf(IOException.class).hasMessageContaining("plaintext changed");
  }

  @Test
  void tinyFilesPrepareAsLiteralsWithNoShares() throws IOException {
    ImmutableEncoder.Prepared prepared = ImmutableEncoder.convergent(PARAMS, Shares.SECRET)
        .prepare(PlaintextSource.of(new byte[] {1, 2, 3}));
    assertThat(prepared.literal()).contains(new LiteralCap(new byte[] {1, 2, 3}));
    assertThatThrownBy(prepared::index).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(prepared::layout).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> prepared.encode((i, length) -> new ByteArrayShare(length)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no shares");
  }
}
