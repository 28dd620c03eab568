package org.cairnfs.fs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.fs.dirs.GridDirectories;
import org.cairnfs.fs.dirs.PagingPolicy;
import org.cairnfs.fs.files.ChunkedFiles;
import org.cairnfs.fs.files.FilesConfig;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.GridException;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.fs.mount.RemoteEntry;
import org.cairnfs.fs.testing.TestGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A paged directory whose page uploads cannot reach happiness: the change fails as NOT_HAPPY,
 * no version naming missing pages is published (the directory lists exactly what it did), and
 * the same change succeeds once the servers take writes again.
 */
class DirectoryFaultsTest {
  static final GridConfig CONFIG = GridConfig.builder()
      .params(EncodingParams.builder().k(2).happy(3).n(4).segmentSize(16 * 1024).build())
      .stallTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(3)).build();
  static final Instant T = Instant.parse("2026-07-08T09:10:11Z");
  static final PagingPolicy SMALL = PagingPolicy.builder().maxPageBytes(1024)
      .flatMaxBytes(2048).flatMinBytes(512).minFillBytes(256).build();

  @TempDir Path dir;

  static List<EntryChange> puts(String prefix, int count, String cap) {
    NodeMetadata m = NodeMetadata.of(EntryKind.FILE, 10, 0644, T, T);
    List<EntryChange> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(new EntryChange.Put(String.format("%s-%03d", prefix, i), Optional.of(cap), m));
    }
    return out;
  }

  @Test
  void pagesThatCannotBePlacedPublishNothing() throws Exception {
    try (TestGrid grid = new TestGrid(dir, 4)) {
      GridClient client = grid.client(CONFIG);
      ClientFileSystem fs = ClientFileSystem.create(client,
          GridDirectories.create(client, SMALL, 1 << 20),
          new ChunkedFileStore(ChunkedFiles.create(client, FilesConfig.defaults())));
      String file = fs.writeFile(ClientFileSystemTest.whole(new byte[100])).get();
      String root = fs.createDirectory().get();
      fs.applyChanges(root, puts("old", 40, file)).get();
      assertThat(fs.directories().pageCaps(
          (org.cairnfs.caps.DirectoryCap) org.cairnfs.caps.Cap.parse(root)).get()).isNotEmpty();

      grid.server(0).faults().failWrites(true);
      grid.server(1).faults().failWrites(true);
      assertThatThrownBy(() -> fs.applyChanges(root, puts("new", 40, file)).get())
          .isInstanceOf(ExecutionException.class)
          .satisfies(e -> assertThat(((GridException) e.getCause()).kind())
              .isEqualTo(GridException.Kind.NOT_HAPPY));
      grid.server(0).faults().failWrites(false);
      grid.server(1).faults().failWrites(false);

      ClientFileSystem reader = ClientFileSystem.create(grid.client(CONFIG));
      List<RemoteEntry> after = reader.list(root).get();
      assertThat(after).hasSize(40).allMatch(e -> e.name().startsWith("old-"));

      fs.applyChanges(root, puts("new", 40, file)).get();
      assertThat(reader.list(root).get()).hasSize(80);
    }
  }
}
