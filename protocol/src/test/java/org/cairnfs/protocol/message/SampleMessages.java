package org.cairnfs.protocol.message;

import java.util.List;
import java.util.Set;
import org.cairnfs.caps.StorageIndex;

/** One instance of every message kind with non-trivial field values, for round-trip tests. */
public final class SampleMessages {
  private SampleMessages() {}

  public static StorageIndex index(int seed) {
    byte[] b = new byte[16];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (seed * 31 + i);
    }
    return StorageIndex.of(b);
  }

  public static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 7 + seed);
    }
    return b;
  }

  public static List<Message> all() {
    StorageIndex si = index(1);
    byte[] renew = bytes(32, 1);
    byte[] cancel = bytes(32, 2);
    return List.of(
        Hello.current(Hello.ROLE_CLIENT),
        new Request.Ping(),
        new Request.GetServerInfo(),
        new Request.GetShareNumbers(si),
        new Request.Allocate(si, renew, cancel, 123_456_789L, Set.of(0, 5, 255)),
        new WriteChunk(si, 3, 1L << 40, bytes(1000, 3)),
        new Request.CloseShare(si, 255),
        new Request.AbortShare(si, 0),
        new Request.ReadRange(si, 9, 77, WireLimits.MAX_CHUNK),
        new Request.ListShares(si),
        new Request.ReadSlot(si, Set.of(), 0, 100),
        new Request.ReadSlot(si, Set.of(1, 2), 5, 0),
        new Request.WriteSlotShare(si, 4, renew, cancel, 3000, 1000, bytes(2000, 4)),
        new Request.AddLease(si, renew, cancel),
        new Request.RenewLease(si, renew),
        new Request.Publish(bytes(300, 5)),
        new Request.Subscribe(),
        new Response.Ok(),
        new Response.ServerInfo(1, "cairn 0.1.0 \u00e9", 1L << 40, 1L << 34, WireLimits.DEFAULT_MAX_FRAME, 64),
        new Response.ShareNumbers(Set.of(1, 7)),
        new Response.Allocated(Set.of(0, 1), Set.of(2)),
        new Response.Data(bytes(4096, 6)),
        new Response.Data(new byte[0]),
        new Response.ShareList(List.of(new Response.ShareSize(2, 10), new Response.ShareSize(0, 0))),
        new Response.SlotData(List.of(new Response.SlotShare(3, 9, bytes(10, 7)),
            new Response.SlotShare(1, 0, new byte[0]))),
        new Response.AnnouncementPush(List.of(bytes(10, 8), new byte[0], bytes(500, 9))),
        new Response.Error(ErrorCode.SERVER_FULL, "no room for 3 shares"));
  }
}
