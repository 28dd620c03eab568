package org.cairnfs.protocol.message;

import static org.cairnfs.protocol.message.WireLimits.checkChunk;
import static org.cairnfs.protocol.message.WireLimits.checkLength;
import static org.cairnfs.protocol.message.WireLimits.checkOffset;
import static org.cairnfs.protocol.message.WireLimits.checkSecret;
import static org.cairnfs.protocol.message.WireLimits.checkShare;
import static org.cairnfs.protocol.message.WireLimits.checkShares;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import org.cairnfs.caps.StorageIndex;

/**
 * Every request a client may send: the records below and {@link WriteChunk}. Constructors
 * validate every field against {@link WireLimits} (the decoder relies on this), and byte arrays
 * are copied in and out.
 */
public sealed interface Request extends Message
    permits Request.Ping, Request.GetServerInfo, Request.GetShareNumbers, Request.Allocate,
    WriteChunk, Request.CloseShare, Request.AbortShare, Request.ReadRange, Request.ListShares,
    Request.ReadSlot, Request.WriteSlotShare, Request.AddLease, Request.RenewLease,
    Request.Publish, Request.Subscribe {

  /** Keeps an idle connection alive; answered with {@link Response.Ok}. */
  record Ping() implements Request {
    @Override
    public MessageType type() {
      return MessageType.PING;
    }
  }

  /** Asks for version, free space and limits; answered with {@link Response.ServerInfo}. */
  record GetServerInfo() implements Request {
    @Override
    public MessageType type() {
      return MessageType.GET_SERVER_INFO;
    }
  }

  /** Which complete immutable shares of {@code index} the server holds; {@link Response.ShareNumbers}. */
  record GetShareNumbers(StorageIndex index) implements Request {
    public GetShareNumbers {
      Objects.requireNonNull(index, "index");
    }

    @Override
    public MessageType type() {
      return MessageType.GET_SHARE_NUMBERS;
    }
  }

  /**
   * Reserves space for immutable shares, each {@code shareSize} bytes, and adds a lease with the
   * given secrets; answered with {@link Response.Allocated}.
   */
  record Allocate(StorageIndex index, byte[] renewSecret, byte[] cancelSecret, long shareSize,
      Set<Integer> shareNumbers) implements Request {
    public Allocate {
      Objects.requireNonNull(index, "index");
      renewSecret = checkSecret(renewSecret, "renew secret");
      cancelSecret = checkSecret(cancelSecret, "cancel secret");
      if (shareSize < 0) {
        throw new IllegalArgumentException("share size must be >= 0, got " + shareSize);
      }
      shareNumbers = checkShares(shareNumbers);
      if (shareNumbers.isEmpty()) {
        throw new IllegalArgumentException("allocate needs at least one share number");
      }
    }

    @Override
    public byte[] renewSecret() {
      return renewSecret.clone();
    }

    @Override
    public byte[] cancelSecret() {
      return cancelSecret.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Allocate a && index.equals(a.index)
          && Arrays.equals(renewSecret, a.renewSecret) && Arrays.equals(cancelSecret, a.cancelSecret)
          && shareSize == a.shareSize && shareNumbers.equals(a.shareNumbers);
    }

    @Override
    public int hashCode() {
      return Objects.hash(index, Arrays.hashCode(renewSecret), shareSize, shareNumbers);
    }

    @Override
    public String toString() {
      return "Allocate[" + index + ", size=" + shareSize + ", shares=" + shareNumbers + "]";
    }

    @Override
    public MessageType type() {
      return MessageType.ALLOCATE;
    }
  }

  /** Completes an upload: the share becomes readable; {@link Response.Ok}. */
  record CloseShare(StorageIndex index, int share) implements Request {
    public CloseShare {
      Objects.requireNonNull(index, "index");
      checkShare(share);
    }

    @Override
    public MessageType type() {
      return MessageType.CLOSE_SHARE;
    }
  }

  /** Abandons an upload and frees its space; {@link Response.Ok}. */
  record AbortShare(StorageIndex index, int share) implements Request {
    public AbortShare {
      Objects.requireNonNull(index, "index");
      checkShare(share);
    }

    @Override
    public MessageType type() {
      return MessageType.ABORT_SHARE;
    }
  }

  /** Reads up to {@code length} bytes of a complete share; {@link Response.Data}. */
  record ReadRange(StorageIndex index, int share, long offset, int length) implements Request {
    public ReadRange {
      Objects.requireNonNull(index, "index");
      checkShare(share);
      checkOffset(offset);
      checkLength(length);
    }

    @Override
    public MessageType type() {
      return MessageType.READ_RANGE;
    }
  }

  /** Lists the complete immutable shares and their sizes; {@link Response.ShareList}. */
  record ListShares(StorageIndex index) implements Request {
    public ListShares {
      Objects.requireNonNull(index, "index");
    }

    @Override
    public MessageType type() {
      return MessageType.LIST_SHARES;
    }
  }

  /**
   * Reads the same byte range of several shares of a mutable slot (all shares when
   * {@code shares} is empty); {@link Response.SlotData}.
   */
  record ReadSlot(StorageIndex index, Set<Integer> shares, long offset, int length) implements Request {
    public ReadSlot {
      Objects.requireNonNull(index, "index");
      shares = checkShares(shares);
      checkOffset(offset);
      checkLength(length);
    }

    @Override
    public MessageType type() {
      return MessageType.READ_SLOT;
    }
  }

  /**
   * One chunk of a whole new mutable share of {@code totalSize} bytes. Chunks are sent in order;
   * the chunk that ends at {@code totalSize} makes the server check the complete share (key
   * matches the slot, signature verifies, seqnum grows) and replace the old one atomically, and
   * record the writer's lease under the renew and cancel secrets that chunk carries (every chunk
   * carries them, so the message stays self-contained). {@link Response.Ok} after each chunk.
   */
  record WriteSlotShare(StorageIndex index, int share, byte[] renewSecret, byte[] cancelSecret,
      long totalSize, long offset, byte[] data) implements Request {
    public WriteSlotShare {
      Objects.requireNonNull(index, "index");
      checkShare(share);
      renewSecret = checkSecret(renewSecret, "renew secret");
      cancelSecret = checkSecret(cancelSecret, "cancel secret");
      checkOffset(offset);
      data = checkChunk(data);
      if (totalSize < 0 || offset > totalSize || data.length > totalSize - offset) {
        throw new IllegalArgumentException("chunk [" + offset + ", +" + data.length
            + ") does not fit a share of " + totalSize + " bytes");
      }
    }

    /** True for the chunk that completes the share. */
    public boolean isLast() {
      return offset + data.length == totalSize;
    }

    @Override
    public byte[] renewSecret() {
      return renewSecret.clone();
    }

    @Override
    public byte[] cancelSecret() {
      return cancelSecret.clone();
    }

    @Override
    public byte[] data() {
      return data.clone();
    }

    /** The bytes as a read-only view, without copying (for the codec and the store). */
    public ByteBuffer view() {
      return ByteBuffer.wrap(data).asReadOnlyBuffer();
    }

    public int length() {
      return data.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof WriteSlotShare w && index.equals(w.index) && share == w.share
          && Arrays.equals(renewSecret, w.renewSecret)
          && Arrays.equals(cancelSecret, w.cancelSecret) && totalSize == w.totalSize
          && offset == w.offset && Arrays.equals(data, w.data);
    }

    @Override
    public int hashCode() {
      return Objects.hash(index, share, Arrays.hashCode(renewSecret), totalSize, offset,
          Arrays.hashCode(data));
    }

    @Override
    public String toString() {
      return "WriteSlotShare[" + index + ", share=" + share + ", total=" + totalSize + ", offset="
          + offset + ", length=" + data.length + "]";
    }

    @Override
    public MessageType type() {
      return MessageType.WRITE_SLOT_SHARE;
    }
  }

  /** Adds (or renews, if the renew secret is known) a lease on every share of an index; Ok. */
  record AddLease(StorageIndex index, byte[] renewSecret, byte[] cancelSecret) implements Request {
    public AddLease {
      Objects.requireNonNull(index, "index");
      renewSecret = checkSecret(renewSecret, "renew secret");
      cancelSecret = checkSecret(cancelSecret, "cancel secret");
    }

    @Override
    public byte[] renewSecret() {
      return renewSecret.clone();
    }

    @Override
    public byte[] cancelSecret() {
      return cancelSecret.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof AddLease a && index.equals(a.index)
          && Arrays.equals(renewSecret, a.renewSecret) && Arrays.equals(cancelSecret, a.cancelSecret);
    }

    @Override
    public int hashCode() {
      return Objects.hash(index, Arrays.hashCode(renewSecret));
    }

    @Override
    public String toString() {
      return "AddLease[" + index + "]";
    }

    @Override
    public MessageType type() {
      return MessageType.ADD_LEASE;
    }
  }

  /** Extends the lease holding {@code renewSecret}; NOT_FOUND if there is none. Ok. */
  record RenewLease(StorageIndex index, byte[] renewSecret) implements Request {
    public RenewLease {
      Objects.requireNonNull(index, "index");
      renewSecret = checkSecret(renewSecret, "renew secret");
    }

    @Override
    public byte[] renewSecret() {
      return renewSecret.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RenewLease r && index.equals(r.index)
          && Arrays.equals(renewSecret, r.renewSecret);
    }

    @Override
    public int hashCode() {
      return Objects.hash(index, Arrays.hashCode(renewSecret));
    }

    @Override
    public String toString() {
      return "RenewLease[" + index + "]";
    }

    @Override
    public MessageType type() {
      return MessageType.RENEW_LEASE;
    }
  }

  /** Publishes one signed announcement (opaque here) to an introducer; Ok. */
  record Publish(byte[] announcement) implements Request {
    public Publish {
      if (announcement.length > WireLimits.MAX_ANNOUNCEMENT) {
        throw new IllegalArgumentException("announcement must be at most "
            + WireLimits.MAX_ANNOUNCEMENT + " bytes, got " + announcement.length);
      }
      announcement = announcement.clone();
    }

    @Override
    public byte[] announcement() {
      return announcement.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Publish p && Arrays.equals(announcement, p.announcement);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(announcement);
    }

    @Override
    public String toString() {
      return "Publish[" + announcement.length + " bytes]";
    }

    @Override
    public MessageType type() {
      return MessageType.PUBLISH;
    }
  }

  /**
   * Subscribes to announcements: answered with Ok, then any number of
   * {@link Response.AnnouncementPush} frames carrying this request's id until the connection closes.
   */
  record Subscribe() implements Request {
    @Override
    public MessageType type() {
      return MessageType.SUBSCRIBE;
    }
  }
}
