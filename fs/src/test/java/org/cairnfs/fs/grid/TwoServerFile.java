package org.cairnfs.fs.grid;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.testing.TestGrid;

/**
 * A file of {@link #SIZE} random bytes on two real servers, 1-of-2 shares of 4 KiB segments (a
 * small file with many segments), open for reading: the fixture of the file and stream tests.
 */
final class TwoServerFile implements AutoCloseable {
  static final int SEGMENT = 4096;
  static final int SIZE = 10 * SEGMENT + 123;
  static final GridConfig CONFIG = GridConfig.builder()
      .params(EncodingParams.builder().k(1).happy(1).n(2).segmentSize(SEGMENT).build())
      .readTimeout(Duration.ofSeconds(2)).readAhead(2 * SEGMENT).build();

  final TestGrid grid;
  final GridClient client;
  final byte[] data = new byte[SIZE];
  final ImmutableReadCap cap;
  final ImmutableFile file;

  TwoServerFile(Path dir, long seed) throws Exception {
    grid = new TestGrid(dir, 2);
    client = grid.client(CONFIG);
    new Random(seed).nextBytes(data);
    cap = (ImmutableReadCap) client.upload(PlaintextSource.of(data)).get().cap();
    file = client.open(cap);
  }

  @Override
  public void close() {
    file.close();
    grid.close();
  }
}
