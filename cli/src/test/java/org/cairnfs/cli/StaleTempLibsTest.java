package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
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
      assertThat(StaleTempLibs.sweep(dir, Instant.now().plusSeconds(1)))
          .containsExactlyInAnyOrder(stale, old, sqlite);
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

  /** Another node starting at the same time unpacks its library before it maps it. */
  @Test
  void keepsALibraryUnpackedWithinTheGraceEvenWhenNothingMapsItYet() throws Exception {
    Path fresh = Files.write(dir.resolve("sqlite-3.54.1.0-fresh-libsqlitejdbc.so"), new byte[64]);
    Path freshLock = Files.createFile(dir.resolve("sqlite-3.54.1.0-fresh-libsqlitejdbc.so.lck"));
    Path old = Files.write(dir.resolve("sqlite-3.54.1.0-old-libsqlitejdbc.so"), new byte[64]);
    Files.setLastModifiedTime(old, FileTime.from(
        Instant.now().minus(StaleTempLibs.GRACE).minusSeconds(5)));

    assertThat(StaleTempLibs.sweep(dir)).containsExactly(old);
    assertThat(fresh).exists();
    assertThat(freshLock).exists();
    assertThat(old).doesNotExist();
  }
}
