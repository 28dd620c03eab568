package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.ShareHeader;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RemoteShare}'s read-ahead window over real servers holding a planted share: what each
 * read returns, and which ReadRange requests reach the servers for reads at, across and past
 * the edges of the front, of fetched ranges and of the share. The share is random bytes behind
 * a header that puts the blocks at {@code T} (RemoteShare reads only the header; the decoder
 * verifies the rest), so every edge sits where the test wants it.
 */
class RemoteShareTest {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final int N = 3;
  static final int T = 3000;
  static final int S = T + 40_000;
  static final int MIB = 1 << 20;
  @TempDir Path dir;
  TestGrid grid;
  ServerPool pool;
  TestServer s0;
  TestServer s1;
  final StorageIndex si = StorageIndex.of(craft(0, StorageIndex.LENGTH, 5));
  byte[] share;

  @BeforeEach
  void start() throws Exception {
    grid = new TestGrid(dir, 2);
    pool = grid.pool(NodeKey.generate());
    s0 = grid.server(0);
    s1 = grid.server(1);
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  /** Random bytes of {@code length} whose header puts the blocks at {@code treeEnd}. */
  static byte[] craft(long treeEnd, int length, int seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    if (length < ShareHeader.LENGTH) {
      return b;
    }
    byte[] header = new ShareHeader(N, 60, 60, 60, 60, treeEnd, Math.max(treeEnd, length))
        .encode();
    System.arraycopy(header, 0, b, 0, header.length);
    return b;
  }

  void plant(byte[] bytes, TestServer... servers) throws Exception {
    share = bytes;
    for (TestServer s : servers) {
      UploadFaultsTest.plant(s, si, N, bytes);
    }
  }

  /** A reader of share N over a locator that has heard from every server. */
  RemoteShare open(long frontGuess, int maxBuffered) throws Exception {
    ShareLocator locator = new ShareLocator(pool, si, 1, 1, TIMEOUT, Duration.ZERO).start();
    locator.finished().get(20, TimeUnit.SECONDS);
    return new RemoteShare(si, N, locator, TIMEOUT, frontGuess, maxBuffered);
  }

  /** Reads through an offset into a larger array, checking nothing else of it is written. */
  static byte[] read(RemoteShare rs, long offset, int len) throws IOException {
    byte[] dst = new byte[len + 6];
    rs.read(offset, dst, 3, len);
    assertThat(Arrays.copyOfRange(dst, 0, 3)).containsOnly(0);
    assertThat(Arrays.copyOfRange(dst, len + 3, len + 6)).containsOnly(0);
    return Arrays.copyOfRange(dst, 3, len + 3);
  }

  byte[] slice(long from, long length) {
    return Arrays.copyOfRange(share, (int) from, (int) (from + length));
  }

  void readsRight(RemoteShare rs, long offset, int len) throws IOException {
    assertThat(read(rs, offset, len)).as("bytes at %d+%d", offset, len)
        .isEqualTo(slice(offset, len));
  }

  static String r(long offset, long length) {
    return offset + "+" + length;
  }

  static List<String> fetched(TestServer s) {
    List<String> out = new ArrayList<>();
    s.faults().readRanges().forEach(q -> out.add(r(q.offset(), q.length())));
    return out;
  }

  /** Exactly these requests reached {@code s} (in any order: prefetches are pipelined). */
  static void assertFetched(TestServer s, String... expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (fetched(s).size() < expected.length && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(fetched(s)).as("requests to %s", s).containsExactlyInAnyOrder(expected);
  }

  @Test
  void theFrontIsOneRequestThenTheRestOfTheTreesAndServesEveryTreeRead() throws Exception {
    plant(craft(T, S, 1), s0);
    RemoteShare rs = open(100, MIB);
    assertThat(rs.number()).isEqualTo(N);
    assertThat(rs.server()).isEmpty();
    assertThat(rs.opened()).isFalse();
    readsRight(rs, 0, 60);
    assertThat(rs.opened()).isTrue();
    assertThat(rs.server()).contains(s0.nodeId());
    // a guess under 512 asks for 512; the header then says the trees end at T
    assertFetched(s0, r(0, 512), r(512, T - 512));
    readsRight(rs, T - 100, 100); // up to the front's last byte
    readsRight(rs, 700, 32);
    assertFetched(s0, r(0, 512), r(512, T - 512));
  }

  @Test
  void aGuessPastTheTreesKeepsTheWholeAnswerAndReadsPastItFetchExactly() throws Exception {
    plant(craft(T, S, 2), s0);
    RemoteShare rs = open(5000, MIB);
    readsRight(rs, 0, 60);
    readsRight(rs, 4000, 1000); // block bytes that came with the front, to its end
    assertFetched(s0, r(0, 5000));
    readsRight(rs, 4990, 20); // across the front's end
    assertFetched(s0, r(0, 5000), r(4990, 20));
  }

  @Test
  void blockReadsFetchWhatIsMissingAndDropARangeOnceReadToItsEnd() throws Exception {
    plant(craft(T, S, 3), s0);
    RemoteShare rs = open(T, MIB);
    readsRight(rs, 0, 60);
    readsRight(rs, T, 1000);
    readsRight(rs, T, 1000); // read to its end, so dropped: fetched again
    readsRight(rs, T + 1000, 10); // a full answer says nothing of where the share ends
    assertFetched(s0, r(0, T), r(T, 1000), r(T, 1000), r(T + 1000, 10));
    rs.prefetch(T + 2000, T + 6000, 1);
    readsRight(rs, T + 2000, 1000);
    readsRight(rs, T + 3000, 3000); // to the prefetched range's end
    assertFetched(s0, r(0, T), r(T, 1000), r(T, 1000), r(T + 1000, 10), r(T + 2000, 4000));
    readsRight(rs, T + 3000, 10); // that range is gone
    rs.prefetch(T + 10_000, T + 12_000, 1);
    readsRight(rs, T + 11_000, 2000); // across the prefetched range's end
    readsRight(rs, T + 10_000, 500); // the range itself stays
    assertFetched(s0, r(0, T), r(T, 1000), r(T, 1000), r(T + 1000, 10), r(T + 2000, 4000),
        r(T + 3000, 10), r(T + 10_000, 2000), r(T + 11_000, 2000));
  }

  @Test
  void prefetchAsksOnlyForRunsNotFetchedAndDropsWhatIsBehind() throws Exception {
    plant(craft(T, S, 4), s0);
    RemoteShare rs = open(T, MIB);
    readsRight(rs, 0, 60);
    rs.prefetch(T, T + 500, 1);
    rs.prefetch(T + 1000, T + 3000, 1); // drops [T, T+500): behind
    rs.prefetch(T + 3000, T + 5000, 1); // drops [T+1000, T+3000): ends where this starts
    rs.prefetch(T + 2000, T + 6000, 1); // only the gaps: [T+2000, T+3000) and [T+5000, T+6000)
    rs.prefetch(T + 8000, T + 9000, 1); // drops the three behind it
    rs.prefetch(T + 6000, T + 12_000, 1); // around [T+8000, T+9000)
    rs.prefetch(T + 7000, T + 7000, 1);
    assertFetched(s0, r(0, T), r(T, 500), r(T + 1000, 2000), r(T + 3000, 2000),
        r(T + 2000, 1000), r(T + 5000, 1000), r(T + 8000, 1000), r(T + 6000, 2000),
        r(T + 9000, 3000));
    readsRight(rs, T + 6000, 2000);
    readsRight(rs, T + 8000, 1000);
    readsRight(rs, T + 9000, 3000);
    readsRight(rs, T + 1000, 100); // dropped: fetched again
    readsRight(rs, T, 100);
    assertFetched(s0, r(0, T), r(T, 500), r(T + 1000, 2000), r(T + 3000, 2000),
        r(T + 2000, 1000), r(T + 5000, 1000), r(T + 8000, 1000), r(T + 6000, 2000),
        r(T + 9000, 3000), r(T + 1000, 100), r(T, 100));
  }

  @Test
  void pastTheBudgetTheFarthestRangesAreDroppedButNeverTheLastOne() throws Exception {
    plant(craft(T, S, 5), s0);
    RemoteShare rs = open(T, 2000);
    readsRight(rs, 0, 60);
    rs.prefetch(T + 4000, T + 5000, 1);
    rs.prefetch(T + 2000, T + 3000, 1);
    rs.prefetch(T, T + 1000, 1); // 3000 bytes ahead: the farthest goes, 2000 fit exactly
    assertFetched(s0, r(0, T), r(T + 4000, 1000), r(T + 2000, 1000), r(T, 1000));
    readsRight(rs, T + 2000, 1000);
    readsRight(rs, T, 1000);
    readsRight(rs, T + 4000, 1000);
    assertFetched(s0, r(0, T), r(T + 4000, 1000), r(T + 2000, 1000), r(T, 1000),
        r(T + 4000, 1000));

    RemoteShare small = open(T, 500);
    readsRight(small, 0, 60);
    small.prefetch(T + 8000, T + 9000, 1); // over the budget alone: kept
    readsRight(small, T + 8000, 1000);
    assertFetched(s0, r(0, T), r(T + 4000, 1000), r(T + 2000, 1000), r(T, 1000),
        r(T + 4000, 1000), r(0, T), r(T + 8000, 1000));
  }

  @Test
  void aShortAnswerShowsWhereTheShareEnds() throws Exception {
    plant(craft(T, S, 6), s0);
    RemoteShare rs = open(T, MIB);
    readsRight(rs, 0, 60);
    rs.prefetch(S - 100, S + 100, 1); // answered with 100 bytes
    readsRight(rs, S - 100, 60);
    readsRight(rs, S - 40, 40); // up to the end
    assertThatThrownBy(() -> read(rs, S + 500, 10)).isInstanceOf(EOFException.class)
        .hasMessage("share " + N + " ends at " + S + ", needed " + (S + 510));
    assertFetched(s0, r(0, T), r(S - 100, 200)); // the end was known: nothing asked
    // the one holder failed that read, so the share is given up
    assertThatThrownBy(() -> read(rs, T, 10)).isInstanceOf(IOException.class)
        .hasMessageContaining("no reachable server holds share " + N);

    RemoteShare fresh = open(T, MIB); // the end not known: the answer shows it
    assertThatThrownBy(() -> read(fresh, S - 50, 100)).isInstanceOf(EOFException.class)
        .hasMessage("share " + N + " ends at " + S + ", needed " + (S + 50));
  }

  @Test
  void aShareCutInItsTreesEndsWhereTheAnswersStop() throws Exception {
    plant(craft(5000, 3000, 7), s0); // the header says the trees end at 5000
    RemoteShare rs = open(1000, MIB);
    readsRight(rs, 2900, 100);
    assertThatThrownBy(() -> read(rs, 2950, 100)).isInstanceOf(EOFException.class)
        .hasMessageContaining("ends at 3000");
    assertFetched(s0, r(0, 1000), r(1000, 4000));

    RemoteShare guessed = open(4000, MIB); // a short first answer: no request for the rest
    readsRight(guessed, 2000, 1000);
    assertThatThrownBy(() -> read(guessed, 2999, 2)).isInstanceOf(EOFException.class);
    assertFetched(s0, r(0, 1000), r(1000, 4000), r(0, 4000));
  }

  @Test
  void aFrontThatIsNoShareHeaderIsHandedUpAsIs() throws Exception {
    byte[] bad = craft(T, 5000, 8);
    bad[0] ^= 1; // the magic
    plant(bad, s0);
    RemoteShare rs = open(1000, MIB);
    readsRight(rs, 0, 1000); // the decoder rejects it, with the reason
    readsRight(rs, 1000, 100);
    assertFetched(s0, r(0, 1000), r(1000, 100));
  }

  @Test
  void aFailedReadMovesToAnotherHolderAndDropsWhatCameFromTheFirst() throws Exception {
    plant(craft(T, S, 9), s0, s1);
    RemoteShare rs = open(1000, MIB);
    readsRight(rs, 0, 60);
    TestServer first = grid.byId(rs.server().orElseThrow());
    TestServer other = first == s0 ? s1 : s0;
    rs.prefetch(T, T + 4000, 1);
    readsRight(rs, T, 1000);
    assertFetched(first, r(0, 1000), r(1000, T - 1000), r(T, 4000));

    first.faults().failReads(true);
    readsRight(rs, T + 8000, 100);
    assertThat(rs.server()).contains(other.nodeId());
    readsRight(rs, T, 100); // blocks need no trees
    assertFetched(other, r(T + 8000, 100), r(T, 100));
    readsRight(rs, T + 1000, 1000); // prefetched from the first holder, which was let go
    readsRight(rs, 100, 50); // the trees, in one request now that their end is known
    assertFetched(other, r(T + 8000, 100), r(T, 100), r(T + 1000, 1000), r(0, T));
    assertFetched(first, r(0, 1000), r(1000, T - 1000), r(T, 4000), r(T + 8000, 100));

    other.faults().failReads(true);
    assertThatThrownBy(() -> read(rs, T + 20_000, 10)).isInstanceOf(IOException.class)
        .hasMessageContaining("injected read failure");
    assertThatThrownBy(() -> read(rs, T, 10)).isInstanceOf(IOException.class)
        .hasMessageContaining("no reachable server holds share " + N);
    rs.prefetch(T, T + 100, 1); // nobody left to ask: nothing, quietly
    assertFetched(other, r(T + 8000, 100), r(T, 100), r(T + 1000, 1000), r(0, T),
        r(T + 20_000, 10));
  }

  @Test
  void aHolderExcludedLaterIsKeptByAReaderAlreadyOnIt() throws Exception {
    plant(craft(T, S, 12), s0, s1);
    ShareLocator locator = new ShareLocator(pool, si, 1, 1, TIMEOUT, Duration.ZERO).start();
    locator.finished().get(20, TimeUnit.SECONDS);
    RemoteShare rs = new RemoteShare(si, N, locator, TIMEOUT, T, MIB);
    readsRight(rs, 0, 60);
    TestServer first = grid.byId(rs.server().orElseThrow());
    assertThat(locator.exclude(N, first.nodeId())).isTrue(); // for readers opened after this
    readsRight(rs, T, 100);
    assertThat(rs.server()).contains(first.nodeId());
    assertFetched(first, r(0, T), r(T, 100));
  }

  @Test
  void whenEveryKnownHolderFailedItWaitsForTheSlowerServers() throws Exception {
    plant(craft(T, S, 10), s0, s1);
    s1.faults().holdListing(true);
    ShareLocator locator = new ShareLocator(pool, si, 1, 1, TIMEOUT, Duration.ZERO).start();
    locator.ready().get(20, TimeUnit.SECONDS);
    assertThat(locator.finished()).isNotDone();
    RemoteShare rs = new RemoteShare(si, N, locator, TIMEOUT, T, MIB);
    readsRight(rs, 0, 60);
    assertThat(rs.server()).contains(s0.nodeId());
    s0.faults().failReads(true);
    CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS).execute(s1.faults()::release);
    readsRight(rs, T, 100);
    assertThat(rs.server()).contains(s1.nodeId());
  }

  @Test
  void treesPastTheEagerLimitAreReadInAlignedWindows() throws Exception {
    int eager = GridConfig.MAX_TREE_PREFETCH;
    int treeEnd = eager + 300_000;
    plant(craft(treeEnd, treeEnd + 1_200_000, 11), s0);
    RemoteShare rs = open(1000, 4 * MIB);
    readsRight(rs, 0, 60);
    List<String> front = new ArrayList<>(List.of(r(0, 1000)));
    for (long at = 1000; at < eager; at += MIB) {
      front.add(r(at, Math.min(MIB, eager - at)));
    }
    assertThat(front).hasSize(9).last().isEqualTo(r(1000 + 7L * MIB, eager - 1000 - 7 * MIB));
    readsRight(rs, eager - 10, 10);
    assertFetched(s0, front.toArray(String[]::new));

    int window = RemoteShare.TREE_WINDOW;
    long w1 = eager + window;
    readsRight(rs, eager + 100_000, 64); // inside the second window past the limit
    front.add(r(w1, window));
    readsRight(rs, w1 + window - 6, 20); // across that window's end: from its start again
    front.add(r(w1, window + 14));
    readsRight(rs, w1 + 200, 64);
    readsRight(rs, w1, window + 14); // tree windows are kept after a read to their end
    readsRight(rs, w1 + 100, 10);
    readsRight(rs, treeEnd - 10, 110); // across the blocks' start
    front.add(r(eager + 4L * window, window));
    assertFetched(s0, front.toArray(String[]::new));

    rs.prefetch(treeEnd + 100_000, treeEnd + 1_200_000, 1); // in runs of at most 1 MiB
    readsRight(rs, treeEnd + 1_150_000, 100);
    front.add(r(treeEnd + 100_000, MIB));
    front.add(r(treeEnd + 100_000 + MIB, 1_100_000 - MIB));
    assertFetched(s0, front.toArray(String[]::new));

    RemoteShare whole = open(treeEnd, 4 * MIB); // asks 1 MiB: the rest is 7 whole pieces
    readsRight(whole, eager - 10, 10);
    for (int i = 0; i < 8; i++) {
      front.add(r((long) i * MIB, MIB));
    }
    assertFetched(s0, front.toArray(String[]::new));
  }

  /**
   * A prefetch longer than one request is cut on block boundaries, so reading every block of it
   * asks for nothing more: a block cut in two would be fetched again whole when reached.
   */
  @Test
  void runsLongerThanOneRequestAreCutOnBlockBoundaries() throws Exception {
    int block = 43_691; // 128 KiB segments at k = 3
    int blocks = 60; // 2.5 MiB of blocks: two whole requests and a shorter third
    plant(craft(T, T + blocks * block, 13), s0);
    RemoteShare rs = open(T, 4 * MIB);
    readsRight(rs, 0, 60);
    rs.prefetch(T, T + (long) blocks * block, block);
    int perRequest = MIB / block * block; // 23 blocks: 1 004 893 bytes
    assertFetched(s0, r(0, T), r(T, perRequest), r(T + perRequest, perRequest),
        r(T + 2L * perRequest, (blocks - 46) * block));
    for (int b = 0; b < blocks; b++) {
      readsRight(rs, T + (long) b * block, block);
    }
    assertThat(fetched(s0)).hasSize(4);
    // a gap starting inside a block first ends that block, then goes on in whole blocks
    rs.prefetch(T, T + 100, block);
    rs.prefetch(T, T + (long) blocks * block, block);
    assertFetched(s0, r(0, T), r(T, perRequest), r(T + perRequest, perRequest),
        r(T + 2L * perRequest, (blocks - 46) * block), r(T, 100), r(T + 100, perRequest - 100),
        r(T + perRequest, perRequest), r(T + 2L * perRequest, (blocks - 46) * block));
    assertThat(RemoteShare.requestLength(0, 2 * MIB)).isEqualTo(MIB);
    assertThat(RemoteShare.requestLength(5, 0)).isEqualTo(MIB);
    assertThat(RemoteShare.requestLength(0, MIB)).isEqualTo(MIB);
  }

  /**
   * A tree read past the eager limit too long for its window (the window's start plus the read
   * would pass the 1 MiB a request may ask) is fetched from where it starts, not cut short.
   */
  @Test
  void aLongTreeReadPastTheEagerLimitIsNotCutAtTheRequestLimit() throws Exception {
    int eager = GridConfig.MAX_TREE_PREFETCH;
    int treeEnd = eager + 3 * MIB;
    plant(craft(treeEnd, treeEnd + 1000, 12), s0);
    RemoteShare rs = open(1000, 4 * MIB);
    readsRight(rs, 0, 60);
    long at = eager + RemoteShare.TREE_WINDOW + 200; // 200 bytes into a window
    readsRight(rs, at, MIB - 100);
    assertThat(fetched(s0)).contains(r(at, MIB - 100));
  }
}
