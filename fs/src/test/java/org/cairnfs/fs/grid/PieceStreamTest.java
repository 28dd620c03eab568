package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PieceStream} over pieces the test hands it, counting how often the stream asks for the
 * next: reads within and across pieces, empty pieces, the whole-piece hand-over of
 * {@code readNBytes} and when it copies instead, a subclass refusing reads, a dropped piece.
 */
class PieceStreamTest {
  static final class Pieces extends PieceStream {
    final Deque<byte[]> left;
    int asked;
    boolean closed;

    Pieces(byte[]... pieces) {
      left = new ArrayDeque<>(List.of(pieces));
    }

    @Override
    protected byte[] nextPiece() {
      asked++;
      return left.pollFirst();
    }

    @Override
    protected void checkReadable() throws IOException {
      if (closed) {
        throw new IOException("closed");
      }
    }

    void skipRestOfPiece() {
      dropCurrent();
    }
  }

  static byte[] bytes(int from, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (from + i);
    }
    return b;
  }

  @Test
  void singleBytesAreUnsignedAndTheEndIsMinusOneForEver() throws IOException {
    Pieces in = new Pieces(new byte[] {(byte) 0xff, 0}, new byte[0], new byte[] {(byte) 0x80});
    assertThat(in.read()).isEqualTo(255);
    assertThat(in.read()).isEqualTo(0);
    assertThat(in.read()).isEqualTo(128);
    assertThat(in.read()).isEqualTo(-1);
    assertThat(in.read()).isEqualTo(-1);
    assertThat(in.read(new byte[4], 0, 4)).isEqualTo(-1);
  }

  @Test
  void aReadTakesAtMostTheRestOfThePieceAndSkipsEmptyOnes() throws IOException {
    Pieces in = new Pieces(bytes(0, 5), new byte[0], new byte[0], bytes(5, 3));
    byte[] dst = new byte[10];
    assertThat(in.read(dst, 1, 3)).isEqualTo(3);
    assertThat(Arrays.copyOfRange(dst, 0, 5)).containsExactly(0, 0, 1, 2, 0);
    assertThat(in.read(dst, 0, 10)).isEqualTo(2);
    assertThat(Arrays.copyOf(dst, 2)).containsExactly(3, 4);
    assertThat(in.asked).isEqualTo(1);
    assertThat(in.read(dst, 0, 10)).isEqualTo(3);
    assertThat(Arrays.copyOf(dst, 3)).containsExactly(5, 6, 7);
    assertThat(in.asked).isEqualTo(4);
    assertThat(in.read(dst, 0, 10)).isEqualTo(-1);
    // a read of nothing answers 0 without asking for a piece, even at the end
    int asked = in.asked;
    assertThat(in.read(dst, 3, 0)).isZero();
    assertThat(in.asked).isEqualTo(asked);
    assertThatThrownBy(() -> in.read(dst, 8, 3)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> in.read(dst, -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void readNBytesOfExactlyTheNextWholePieceHandsOverThatPiece() throws IOException {
    byte[] a = bytes(0, 4);
    byte[] b = bytes(4, 4);
    byte[] c = bytes(8, 6);
    Pieces in = new Pieces(a, new byte[0], b, c);
    assertThat(in.readNBytes(4)).isSameAs(a);
    assertThat(in.readNBytes(4)).isSameAs(b); // the empty piece between skipped
    // the stream let go of b: the next bytes are c's
    assertThat(in.read()).isEqualTo(8);
    // c is started: a copy of the rest, not c itself
    byte[] rest = in.readNBytes(5);
    assertThat(rest).isNotSameAs(c).containsExactly(9, 10, 11, 12, 13);
    assertThat(in.readNBytes(4)).isEmpty();
  }

  @Test
  void otherLengthsAreCopiesAcrossPiecesAndShortAtTheEnd() throws IOException {
    byte[] a = bytes(0, 4);
    Pieces in = new Pieces(a, bytes(4, 4));
    byte[] three = in.readNBytes(3);
    assertThat(three).isNotSameAs(a).containsExactly(0, 1, 2);
    assertThat(in.readNBytes(2)).containsExactly(3, 4);
    assertThat(in.readNBytes(10)).containsExactly(5, 6, 7);
    assertThat(in.readNBytes(10)).isEmpty();

    Pieces longer = new Pieces(bytes(0, 4), bytes(4, 4));
    assertThat(longer.readNBytes(6)).containsExactly(0, 1, 2, 3, 4, 5);
  }

  @Test
  void readNBytesOfNothingAsksForNoPieceAndANegativeLengthIsRefused() throws IOException {
    Pieces in = new Pieces(bytes(0, 4));
    assertThat(in.readNBytes(0)).isEmpty();
    assertThat(in.asked).isZero();
    assertThatThrownBy(() -> in.readNBytes(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("len < 0");
    assertThat(in.readNBytes(4)).containsExactly(0, 1, 2, 3);
  }

  @Test
  void lengthsPastTheExactLimitReadWhatThereIs() throws IOException {
    byte[] big = bytes(0, PieceStream.EXACT_LIMIT + 1);
    // the whole next piece is handed over whatever its size
    assertThat(new Pieces(big).readNBytes(big.length)).isSameAs(big);
    Pieces in = new Pieces(bytes(0, 100), bytes(100, 100));
    assertThat(in.readNBytes(Integer.MAX_VALUE)).isEqualTo(bytes(0, 200));
    assertThat(new Pieces(bytes(0, 10), bytes(10, 10)).readAllBytes()).isEqualTo(bytes(0, 20));
    assertThat(new Pieces(bytes(0, 10)).readNBytes(PieceStream.EXACT_LIMIT))
        .isEqualTo(bytes(0, 10));
  }

  @Test
  void aSubclassRefusingReadsIsAskedBeforeEachOne() throws IOException {
    Pieces in = new Pieces(bytes(0, 8));
    assertThat(in.read()).isZero();
    in.closed = true;
    assertThatThrownBy(in::read).hasMessage("closed");
    assertThatThrownBy(() -> in.read(new byte[2], 0, 0)).hasMessage("closed");
    assertThatThrownBy(() -> in.readNBytes(0)).hasMessage("closed");
    assertThatThrownBy(() -> in.readNBytes(7)).hasMessage("closed");
  }

  @Test
  void aDroppedPieceIsLetGoAndTheNextOneRead() throws IOException {
    Pieces in = new Pieces(bytes(0, 8), bytes(8, 2));
    assertThat(in.read(new byte[3], 0, 3)).isEqualTo(3);
    in.skipRestOfPiece();
    assertThat(in.readAllBytes()).containsExactly(8, 9);
  }
}
