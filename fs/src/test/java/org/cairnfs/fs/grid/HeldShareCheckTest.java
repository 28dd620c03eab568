package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.caps.immutable.ShareLayout;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HeldShareCheck} against a real server holding a genuine share that answers short or
 * holds too few or too many bytes: each is a reason not to count the share, never an exception.
 */
class HeldShareCheckTest {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  @TempDir Path dir;
  TestGrid grid;
  GridClient client;
  byte[] data;
  ImmutableReadCap cap;
  StorageIndex si;
  ShareLayout layout;
  TestServer holder;
  StorageClient direct;

  @BeforeEach
  void upload() throws Exception {
    grid = new TestGrid(dir, 11);
    client = grid.client(UploadFaultsTest.FAST);
    data = UploadFaultsTest.random(300_000, 31);
    UploadResult r = client.upload(PlaintextSource.of(data)).get();
    cap = (ImmutableReadCap) r.cap();
    si = cap.index();
    layout = ShareLayout.of(EncodingParams.DEFAULTS, cap.size());
    holder = grid.byId(r.placement().get(0).get(0));
    direct = StorageClient.connect(TestGrid.CLIENT_OPTIONS, NodeKey.generate(), "127.0.0.1",
        holder.port(), holder.nodeId()).get();
  }

  @AfterEach
  void stop() throws Exception {
    if (direct != null) {
      direct.close();
    }
    grid.close();
  }

  Optional<String> check() {
    return new HeldShareCheck(direct, si, 0, layout).problem(cap.verifier(), TIMEOUT);
  }

  @Test
  void aGenuineShareChecksOut() {
    assertThat(check()).isEmpty();
  }

  /** A front cut short (the read at offset 0 answers fewer bytes) is "truncated", not a crash. */
  @Test
  void aShortFrontIsReportedAsTruncated() {
    holder.faults().cutFront(100);
    assertThat(check()).hasValueSatisfying(why -> assertThat(why)
        .contains("truncated", "share ends before " + layout.prefixLength()));
  }

  @Test
  void aShareShorterOrLongerThanItsLayoutIsNamedSo() throws Exception {
    Path file = holder.sharePath(si, 0);
    long length;
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      length = f.length();
      f.setLength(length + 10);
    }
    assertThat(check()).hasValueSatisfying(why -> assertThat(why)
        .isEqualTo("it is longer than " + layout.shareLength() + " bytes"));
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(length - 10);
    }
    assertThat(check()).hasValueSatisfying(why -> assertThat(why)
        .isEqualTo("it is shorter than " + layout.shareLength() + " bytes"));
  }

  /**
   * The same short front met by an upload: the share is not counted, it is placed on another
   * server, and the upload succeeds (issue 12: a crash here would fail the whole upload).
   */
  @Test
  void anUploadMeetingAShortFrontPlacesTheShareElsewhere() throws Exception {
    holder.faults().cutFront(100);
    UploadResult again = client.upload(PlaintextSource.of(data)).get();
    assertThat(again.sharesAlreadyHeld()).isEqualTo(9);
    assertThat(again.sharesUploaded()).isEqualTo(1);
    NodeId moved = holder.nodeId();
    assertThat(again.placement().get(0)).hasSize(1).doesNotContain(moved);
    holder.faults().cutFront(-1);
    UploadFaultsTest.assertReadsBack(client, again, data);
  }
}
