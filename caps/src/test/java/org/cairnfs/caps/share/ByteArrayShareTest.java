package org.cairnfs.caps.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ByteArrayShareTest {
  @Test
  void writesAtOffsetsAndReadsThemBack() throws IOException {
    ByteArrayShare share = new ByteArrayShare(6);
    share.write(4, new byte[] {9, 8});
    share.write(0, new byte[] {5, 1, 2, 3}, 1, 3);
    assertThat(share.bytes()).containsExactly(1, 2, 3, 0, 9, 8);
    assertThat(share.read(2, 3)).containsExactly(3, 0, 9);
  }

  @Test
  void wrapSharesTheArrayAndToByteArrayCopiesIt() throws IOException {
    byte[] bytes = {1, 2, 3};
    ByteArrayShare share = ByteArrayShare.wrap(bytes);
    share.write(1, new byte[] {7});
    assertThat(bytes).containsExactly(1, 7, 3);
    byte[] copy = share.toByteArray();
    copy[0] = 42;
    assertThat(share.read(0, 1)).containsExactly(1);
  }

  @Test
  void readsOutsideTheShareAreEofExceptions() {
    ByteArrayShare share = ByteArrayShare.wrap(new byte[4]);
    assertThatThrownBy(() -> share.read(2, 3)).isInstanceOf(EOFException.class)
        .hasMessageContaining("past the end 4");
    assertThatThrownBy(() -> share.read(-1, 1)).isInstanceOf(EOFException.class);
  }

  @Test
  void writesOutsideTheShareAreRefused() {
    ByteArrayShare share = new ByteArrayShare(4);
    assertThatThrownBy(() -> share.write(3, new byte[2]))
        .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("outside a share of 4");
  }

  @Test
  void aLambdaIsASinkWhoseCloseDoesNothing() throws IOException {
    byte[] seen = new byte[1];
    ShareSink sink = (offset, data, off, len) -> seen[0] = data[off];
    sink.write(0, new byte[] {5});
    sink.close();
    assertThat(seen).containsExactly(5);
  }
}
