package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaleTempLibsTest {
  @TempDir
  Path dir;

  @Test
  void removesUnmappedLibrariesAndTheirLocksButKeepsMappedOnes() throws Exception {
    Path stale = Files.write(dir.resolve("liblz4-java-123.so"), new byte[4096]);
    Path staleLock = Files.createFile(dir.resolve("liblz4-java-123.so.lck"));
    Path old = Files.write(dir.resolve("liblz4-java9876.so"), new byte[4096]);
    Path inUse = Files.write(dir.resolve("liblz4-java-456.so"), new byte[4096]);
    Path other = Files.write(dir.resolve("libother.so"), new byte[16]);
    Path sqlite = Files.write(dir.resolve("sqlite-3.54.1.0-0a1b-libsqlitejdbc.so"), new byte[64]);
    Path sqliteLock = Files.createFile(dir.resolve("sqlite-3.54.1.0-0a1b-libsqlitejdbc.so.lck"));
    Path sqliteInUse = Files.write(dir.resolve("sqlite-3.54.1.0-ffff-libsqlitejdbc.so"),
        new byte[4096]);
    try (FileChannel ch = FileChannel.open(inUse, StandardOpenOption.READ);
        FileChannel sq = FileChannel.open(sqliteInUse, StandardOpenOption.READ)) {
      MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, 4096);
      MappedByteBuffer mappedSqlite = sq.map(FileChannel.MapMode.READ_ONLY, 0, 4096);
      assertThat(StaleTempLibs.sweep(dir)).containsExactlyInAnyOrder(stale, old, sqlite);
      assertThat(mapped.get(0)).isZero(); // keeps the mappings alive until here
      assertThat(mappedSqlite.get(0)).isZero();
    }
    assertThat(sqlite).doesNotExist();
    assertThat(sqliteLock).doesNotExist();
    assertThat(sqliteInUse).exists();
    assertThat(stale).doesNotExist();
    assertThat(staleLock).doesNotExist();
    assertThat(old).doesNotExist();
    assertThat(inUse).exists();
    assertThat(other).exists();
  }
}
