package org.cairnfs.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongFunction;
import org.cairnfs.protocol.frame.FrameCodec;
import org.junit.jupiter.api.Test;

/**
 * Every bound a {@link Response} checks when it is built, at its edge (the largest value
 * accepted, the first refused), and equality by content where the record's own would compare
 * arrays by identity. A server builds these from what its backend returns, and a client from
 * what it decodes, so each bound is what keeps a hostile peer's frame from becoming a message.
 */
class ResponseLimitsTest {
  private static Response.ServerInfo info(int version, String software, long free, long maxShare,
      int maxFrame, int inFlight) {
    return new Response.ServerInfo(version, software, free, maxShare, maxFrame, inFlight);
  }

  private static void assertRefused(Runnable build) {
    assertThatThrownBy(build::run).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void serverInfoValuesAreCheckedAtTheirEdges() {
    info(0, "", 0, 0, 0, 0);
    info(0xFFFF, "x".repeat(WireLimits.MAX_STRING), 1, 1, 1, 1);
    assertRefused(() -> info(-1, "", 0, 0, 0, 0));
    assertRefused(() -> info(0x10000, "", 0, 0, 0, 0));
    assertRefused(() -> info(1, "x".repeat(WireLimits.MAX_STRING + 1), 0, 0, 0, 0));
    assertRefused(() -> info(1, "\u00e9".repeat(WireLimits.MAX_STRING / 2 + 1), 0, 0, 0, 0));
    assertRefused(() -> info(1, "", -1, 0, 0, 0));
    assertRefused(() -> info(1, "", 0, -1, 0, 0));
    assertRefused(() -> info(1, "", 0, 0, -1, 0));
    assertRefused(() -> info(1, "", 0, 0, 0, -1));
  }

  @Test
  void shareAndSlotEntriesRefuseNegativesAndDuplicates() {
    new Response.ShareSize(0, 0);
    assertRefused(() -> new Response.ShareSize(0, -1));
    assertRefused(() -> new Response.ShareList(List.of(new Response.ShareSize(3, 1),
        new Response.ShareSize(3, 2))));
    new Response.SlotShare(0, 0, new byte[0]);
    assertRefused(() -> new Response.SlotShare(0, -1, new byte[0]));
    assertRefused(() -> new Response.SlotData(List.of(new Response.SlotShare(2, 1, new byte[1]),
        new Response.SlotShare(2, 1, new byte[1]))));
  }

  /** A ReadSlot answer holds at most one chunk in all, however many shares it names. */
  @Test
  void slotDataTotalsAtMostOneChunk() {
    int half = WireLimits.MAX_CHUNK / 2;
    Response.SlotData full = new Response.SlotData(List.of(
        new Response.SlotShare(1, 0, new byte[half]), new Response.SlotShare(0, 0, new byte[half])));
    assertThat(full.shares()).extracting(Response.SlotShare::share).containsExactly(0, 1);
    assertThat(full.shares()).extracting(Response.SlotShare::length).containsExactly(half, half);
    assertThatThrownBy(() -> new Response.SlotData(List.of(
        new Response.SlotShare(0, 0, new byte[half]),
        new Response.SlotShare(1, 0, new byte[half + 1]))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("totals");
  }

  @Test
  void aPushHoldsAtMostItsCountOfAnnouncementsEachAtMostItsSize() {
    LongFunction<List<byte[]>> many = n -> {
      List<byte[]> out = new ArrayList<>();
      for (long i = 0; i < n; i++) {
        out.add(new byte[0]);
      }
      return out;
    };
    new Response.AnnouncementPush(many.apply(WireLimits.MAX_ANNOUNCEMENTS_PER_PUSH));
    assertRefused(() -> new Response.AnnouncementPush(
        many.apply(WireLimits.MAX_ANNOUNCEMENTS_PER_PUSH + 1)));
    new Response.AnnouncementPush(List.of(new byte[WireLimits.MAX_ANNOUNCEMENT]));
    assertRefused(() -> new Response.AnnouncementPush(
        List.of(new byte[WireLimits.MAX_ANNOUNCEMENT + 1])));
  }

  /** An error can always be sent: a missing message is empty, a long one is cut to fit. */
  @Test
  void anErrorMessageIsCutToWhatTheWireCarries() {
    assertThat(new Response.Error(ErrorCode.INTERNAL, null).message()).isEmpty();
    String fits = "x".repeat(WireLimits.MAX_STRING / 3);
    assertThat(new Response.Error(ErrorCode.INTERNAL, fits).message()).isEqualTo(fits);
    for (String big : new String[] {"x".repeat(5 * WireLimits.MAX_STRING),
        "\u20ac".repeat(WireLimits.MAX_STRING)}) {
      Response.Error e = new Response.Error(ErrorCode.INTERNAL, big);
      assertThat(e.message()).isEqualTo(big.substring(0, WireLimits.MAX_STRING / 3));
      assertThat(e.message().getBytes(StandardCharsets.UTF_8).length)
          .isLessThanOrEqualTo(WireLimits.MAX_STRING);
      ByteBuf out = Unpooled.buffer();
      FrameCodec.encode(new Frame(1, e), out);
      out.release();
    }
  }

  @Test
  void dataAndSlotSharesCompareAndHashByContent() {
    byte[] bytes = {1, 2, 3};
    Response.Data d = new Response.Data(bytes);
    assertThat(d).isEqualTo(new Response.Data(bytes.clone())).isNotEqualTo(new Response.Data(new byte[] {1, 2}))
        .isNotEqualTo(new Response.Ok());
    assertThat(d.hashCode()).isEqualTo(new Response.Data(bytes.clone()).hashCode())
        .isNotEqualTo(new Response.Data(new byte[] {1, 2, 4}).hashCode());
    assertThat(d).hasToString("Data[3 bytes]");
    // a window of a larger array (the frame decoder's) is the same message as its copy
    byte[] frame = {9, 9, 1, 2, 3, 9};
    Response.Data window = Response.Data.wrapping(frame, 2, 3);
    assertThat(window).isEqualTo(d).hasSameHashCodeAs(d).hasToString("Data[3 bytes]");
    assertThat(window.length()).isEqualTo(3);
    assertThat(window.data()).containsExactly(1, 2, 3);
    java.nio.ByteBuffer view = window.view();
    assertThat(view.position()).isZero();
    assertThat(view.remaining()).isEqualTo(3);
    assertThat(view.get(0)).isEqualTo((byte) 1);
    assertThat(view.isReadOnly()).isTrue();
    window.data()[0] = 7; // a copy
    assertThat(window.view().get(0)).isEqualTo((byte) 1);

    Response.SlotShare s = new Response.SlotShare(4, 9, bytes);
    assertThat(s).isEqualTo(new Response.SlotShare(4, 9, bytes.clone()))
        .isNotEqualTo(new Response.SlotShare(5, 9, bytes))
        .isNotEqualTo(new Response.SlotShare(4, 8, bytes))
        .isNotEqualTo(new Response.SlotShare(4, 9, new byte[3]))
        .isNotEqualTo(d);
    assertThat(s.hashCode()).isEqualTo(new Response.SlotShare(4, 9, bytes.clone()).hashCode())
        .isNotEqualTo(new Response.SlotShare(4, 9, new byte[3]).hashCode());
    assertThat(s.length()).isEqualTo(3);
    assertThat(s).hasToString("SlotShare[share=4, seqnum=9, 3 bytes]");
  }

  @Test
  void announcementPushesCompareAndHashByContent() {
    byte[] a = {1, 2};
    byte[] b = {3};
    Response.AnnouncementPush p = new Response.AnnouncementPush(List.of(a, b));
    assertThat(p).isEqualTo(new Response.AnnouncementPush(List.of(a.clone(), b.clone())))
        .isNotEqualTo(new Response.AnnouncementPush(List.of(a)))
        .isNotEqualTo(new Response.AnnouncementPush(List.of(a, new byte[] {4})))
        .isNotEqualTo(new Response.AnnouncementPush(List.of(b, a)))
        .isNotEqualTo(new Response.Ok());
    assertThat(p.hashCode()).as("as a list of the arrays' hashes")
        .isEqualTo(List.of(Arrays.hashCode(a), Arrays.hashCode(b)).hashCode());
    assertThat(p).hasToString("AnnouncementPush[2 announcements]");
  }
}
