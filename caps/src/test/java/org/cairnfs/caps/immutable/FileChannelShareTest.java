package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import org.cairnfs.caps.ImmutableReadCap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileChannelShareTest {
  @TempDir
  Path dir;

  @Test
  void encodesToFilesAndDecodesFromThem() throws IOException {
    byte[] data = Shares.random(5000, 1);
    EncodingParams params = Shares.params(3, 5, 700);
    ImmutableReadCap cap = (ImmutableReadCap) ImmutableEncoder.convergent(params, Shares.SECRET)
        .encode(PlaintextSource.of(data), (i, length) -> new FileChannelShare(FileChannel.open(
            dir.resolve("share" + i), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)));
    assertThat(Files.size(dir.resolve("share0")))
        .isEqualTo(ShareLayout.of(params, 5000).shareLength());
    Map<Integer, ShareSource> sources = new TreeMap<>();
    for (int i : new int[] {1, 3, 4}) {
      sources.put(i, new FileChannelShare(FileChannel.open(dir.resolve("share" + i))));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImmutableDecoder.of(cap, sources).decode(out);
    assertThat(out.toByteArray()).isEqualTo(data);
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
