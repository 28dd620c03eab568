package org.cairnfs.introducer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.introducer.announcement.ServerDetails;
import org.cairnfs.introducer.announcement.TestKeys;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnnouncementCacheTest {
  @TempDir Path dir;

  static Announcement sample(long seq) {
    return Announcement.sign(new ServerDetails("n" + seq, List.of(new HostPort("127.0.0.1", 4000 + (int) seq)),
        seq, "v", seq, Instant.EPOCH), TestKeys.ed25519());
  }

  private final List<AnnouncementCache.Entry> entries =
      List.of(new AnnouncementCache.Entry(sample(1), Instant.ofEpochMilli(1000)),
          new AnnouncementCache.Entry(sample(2), Instant.ofEpochMilli(2000)));

  private List<AnnouncementCache.Entry> entries() {
    return entries;
  }

  @Nested
  class SaveAndLoad {
    @Test
    void roundTrips() throws Exception {
      AnnouncementCache cache = new AnnouncementCache(dir.resolve("announcements.cache"));
      cache.save(entries());
      assertThat(cache.load()).isEqualTo(entries());
    }

    @Test
    void missingFileIsEmpty() {
      assertThat(new AnnouncementCache(dir.resolve("none")).load()).isEmpty();
    }

    @Test
    void saveReplacesAndLeavesNoTemporaryFiles() throws Exception {
      AnnouncementCache cache = new AnnouncementCache(dir.resolve("c"));
      cache.save(entries());
      cache.save(entries().subList(0, 1));
      assertThat(cache.load()).hasSize(1);
      try (var files = Files.list(dir)) {
        assertThat(files).containsExactly(dir.resolve("c"));
      }
    }
  }

  @Nested
  class Corruption {
    @Test
    void garbageFileIsIgnored() throws Exception {
      Path f = dir.resolve("c");
      Files.write(f, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
      assertThat(new AnnouncementCache(f).load()).isEmpty();
    }

    @Test
    void everyTruncationIsIgnoredWithoutThrowing() throws Exception {
      byte[] good = AnnouncementCache.encode(entries());
      Path f = dir.resolve("c");
      for (int n = 0; n < good.length; n += 7) {
        Files.write(f, java.util.Arrays.copyOf(good, n));
        assertThat(new AnnouncementCache(f).load()).as("prefix %d", n).isEmpty();
      }
    }

    @Test
    void hugeCountIsRejectedBeforeAllocating() throws Exception {
      byte[] bad = AnnouncementCache.encode(entries());
      bad[6] = 0x7f;
      Path f = dir.resolve("c");
      Files.write(f, bad);
      assertThat(new AnnouncementCache(f).load()).isEmpty();
    }

    @Test
    void aFileOverTheLimitIsRefusedWithTheSizesNamed() throws Exception {
      Path f = dir.resolve("c");
      new AnnouncementCache(f).save(entries());
      long size = Files.size(f);
      AnnouncementCache small = new AnnouncementCache(f, size - 1);
      assertThatThrownBy(small::read).isInstanceOf(AnnouncementCache.CacheTooLargeException.class)
          .hasMessage("the file is " + size + " bytes, over the limit of " + (size - 1)
              + " bytes (more than this node ever writes)");
      assertThat(small.load()).isEmpty();
      assertThat(new AnnouncementCache(f, size).load()).hasSize(2);
    }

    @Test
    void aSaveOverTheLimitFailsAndKeepsTheOldFile() throws Exception {
      Path f = dir.resolve("c");
      AnnouncementCache cache = new AnnouncementCache(f, AnnouncementCache.encode(entries()).length - 1);
      cache.save(entries().subList(0, 1));
      assertThatThrownBy(() -> cache.save(entries())).isInstanceOf(java.io.IOException.class)
          .hasMessageContaining("over the cache limit");
      assertThat(cache.load()).hasSize(1);
    }

    @Test
    void tamperedAnnouncementIsSkippedOthersKept() throws Exception {
      byte[] bytes = AnnouncementCache.encode(entries());
      bytes[bytes.length - 1] ^= 1;
      Path f = dir.resolve("c");
      Files.write(f, bytes);
      assertThat(new AnnouncementCache(f).load()).extracting(e -> e.announcement().sequence())
          .containsExactly(1L);
    }
  }

  @Test
  void layoutIsPinned() {
    byte[] bytes = AnnouncementCache.encode(List.of());
    assertThat(bytes).containsExactly('C', 'A', 'N', 'C', 0, 1, 0, 0, 0, 0);
    Announcement a = sample(3);
    byte[] one = AnnouncementCache.encode(List.of(new AnnouncementCache.Entry(a, Instant.ofEpochMilli(258))));
    assertThat(java.util.Arrays.copyOfRange(one, 6, 22))
        .containsExactly(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, (a.length() >> 8) & 0xff, a.length() & 0xff);
    assertThat(java.util.Arrays.copyOfRange(one, 22, one.length)).isEqualTo(a.toBytes());
  }
}
