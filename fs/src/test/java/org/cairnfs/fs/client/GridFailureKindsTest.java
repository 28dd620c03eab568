package org.cairnfs.fs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.mount.GridException;
import org.cairnfs.fs.testing.TestGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real servers refusing work, through the facade: each way the grid fails shows as its
 * {@link GridException} kind on every path (write, upload).
 */
class GridFailureKindsTest {
  @TempDir Path dir;

  @Test
  void fullServersAreFullOnWriteAndUpload() throws Exception {
    try (TestGrid grid = new TestGrid(dir, 4)) {
      GridClient client = grid.client(ClientFileSystemTest.CONFIG);
      ClientFileSystem fs = ClientFileSystem.create(client);
      fs.createDirectory().get(); // connects while the servers take writes
      byte[] data = ClientFileSystemTest.bytes(50_000, 20);
      // two of four full: two servers left, happy is three
      grid.server(0).faults().full(true);
      grid.server(1).faults().full(true);
      assertThatThrownBy(() -> fs.writeFile(ClientFileSystemTest.whole(data)).get())
          .satisfies(t -> assertThat(ClientFileSystemTest.kindOf(t))
              .isEqualTo(GridException.Kind.FULL));
      assertThatThrownBy(() -> fs.upload(new ByteArrayInputStream(data)).get())
          .satisfies(t -> assertThat(ClientFileSystemTest.kindOf(t))
              .isEqualTo(GridException.Kind.FULL));
      // failing writes for another reason than space: not happy, not full
      grid.server(0).faults().full(false);
      grid.server(1).faults().full(false);
      grid.server(0).faults().failAllocates(true);
      grid.server(1).faults().failAllocates(true);
      assertThatThrownBy(() -> fs.writeFile(ClientFileSystemTest.whole(data)).get())
          .satisfies(t -> assertThat(ClientFileSystemTest.kindOf(t))
              .isEqualTo(GridException.Kind.NOT_HAPPY));
      grid.server(0).faults().failAllocates(false);
      grid.server(1).faults().failAllocates(false);
      String cap = fs.writeFile(ClientFileSystemTest.whole(data)).get();
      assertThat(fs.read(cap, 0, data.length).get()).isEqualTo(data);
    }
  }
}
