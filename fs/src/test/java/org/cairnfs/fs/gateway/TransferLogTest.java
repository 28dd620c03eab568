package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The gateway's own transfers on a clock the test turns: running ones oldest first, then the
 * last {@link TransferLog#RECENT} finished newest first, each with its average rate.
 */
class TransferLogTest {
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final TransferLog log = new TransferLog(clock::get);

  private static final NodeStatus.Direction UP = NodeStatus.Direction.UPLOAD;
  private static final NodeStatus.Direction DOWN = NodeStatus.Direction.DOWNLOAD;

  @Test
  void runningTransfersComeOldestFirstThenFinishedNewestFirst() {
    TransferLog.Running first = log.start(UP, "first", OptionalLong.empty());
    clock.addAndGet(1_000);
    TransferLog.Running second = log.start(DOWN, "second", OptionalLong.of(9));
    clock.addAndGet(1_000);
    TransferLog.Running third = log.start(UP, "third", OptionalLong.empty());
    assertThat(labels(log.snapshot())).containsExactly("first", "second", "third");
    second.close();
    third.close();
    List<NodeStatus.Transfer> s = log.snapshot();
    assertThat(labels(s)).containsExactly("first", "third", "second");
    assertThat(s).extracting(NodeStatus.Transfer::active).containsExactly(true, false, false);
    assertThat(s.get(2).direction()).isEqualTo(DOWN);
    assertThat(s.get(2).totalBytes()).hasValue(9);
    first.close();
  }

  @Test
  void manyRunningOnesAreSortedByTheirStart() {
    // a set keeps no order of its own: 30 in a row come out sorted only if sorted
    List<String> started = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      clock.addAndGet(1_000);
      log.start(UP, "t" + i, OptionalLong.empty());
      started.add("t" + i);
    }
    assertThat(labels(log.snapshot())).isEqualTo(started);
  }

  @Test
  void theRateIsBytesOverTheTimeRunUntilNowOrUntilTheEnd() {
    TransferLog.Running r = log.start(UP, "x", OptionalLong.empty());
    r.add(3_000);
    r.add(1_000);
    clock.addAndGet(2_000_000_000L); // two seconds
    NodeStatus.Transfer running = log.snapshot().get(0);
    assertThat(running.bytesDone()).isEqualTo(4_000);
    assertThat(running.bytesPerSecond()).isEqualTo(2_000.0);
    r.close();
    clock.addAndGet(8_000_000_000L); // later snapshots keep the rate at the end
    NodeStatus.Transfer done = log.snapshot().get(0);
    assertThat(done.active()).isFalse();
    assertThat(done.bytesPerSecond()).isEqualTo(2_000.0);
  }

  @Test
  void aTransferOfNoMeasurableTimeCountsOneMillisecond() {
    TransferLog.Running r = log.start(DOWN, "x", OptionalLong.of(5));
    r.add(5);
    assertThat(log.snapshot().get(0).bytesPerSecond()).isEqualTo(5_000.0);
    clock.addAndGet(999_999);
    r.close();
    assertThat(log.snapshot().get(0).bytesPerSecond()).isEqualTo(5_000.0);
  }

  @Test
  void closingTwiceListsItOnce() {
    TransferLog.Running r = log.start(UP, "once", OptionalLong.empty());
    r.close();
    r.close();
    assertThat(labels(log.snapshot())).containsExactly("once");
  }

  @Test
  void onlyTheLastTwentyFinishedAreKept() {
    for (int i = 0; i < TransferLog.RECENT; i++) {
      log.start(UP, "t" + i, OptionalLong.empty()).close();
    }
    List<String> twenty = labels(log.snapshot());
    assertThat(twenty).hasSize(20).startsWith("t19").endsWith("t0");
    log.start(UP, "t20", OptionalLong.empty()).close();
    List<String> still = labels(log.snapshot());
    assertThat(still).hasSize(20).startsWith("t20", "t19").endsWith("t1");
  }

  @Test
  void labelsAreThePathsNamesOrTheFileNameNeverTheCap() {
    String dir = WebApiGoldenTest.DIR;
    assertThat(TransferLog.label(UriPath.parse(dir + "/a/b.txt"), "other"))
        .isEqualTo("a/b.txt");
    assertThat(TransferLog.label(UriPath.parse(dir), "given.bin")).isEqualTo("given.bin");
    assertThat(TransferLog.label(UriPath.parse(dir), "")).isEqualTo("(a file by its cap)");
    assertThat(TransferLog.label(UriPath.parse(dir), null)).isEqualTo("(a file by its cap)");
  }

  private static List<String> labels(List<NodeStatus.Transfer> ts) {
    return ts.stream().map(NodeStatus.Transfer::label).toList();
  }
}
