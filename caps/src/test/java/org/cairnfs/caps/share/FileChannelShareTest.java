package org.cairnfs.caps.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileChannelShareTest {
  @TempDir
  Path dir;

  @Test
  void writesLandAtTheirOffsetsInAnyOrder() throws IOException {
    Path file = dir.resolve("share");
    try (FileChannelShare share = new FileChannelShare(FileChannel.open(file,
        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ))) {
      share.write(6, new byte[] {7, 8, 9});
      share.write(0, new byte[] {0, 1, 2, 3, 4, 5, 6}, 1, 5);
      assertThat(share.read(1, 7)).containsExactly(2, 3, 4, 5, 0, 7, 8);
    }
    assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3, 4, 5, 0, 7, 8, 9);
  }

  @Test
  void readingPastTheEndIsAnEofException() throws IOException {
    Path file = dir.resolve("short");
    Files.write(file, new byte[10]);
    try (FileChannelShare share = new FileChannelShare(FileChannel.open(file))) {
      assertThat(share.read(2, 8)).hasSize(8);
      assertThatThrownBy(() -> share.read(5, 6)).isInstanceOf(EOFException.class)
          .hasMessageContaining("ends at 10");
    }
  }
}
