package org.cairnfs.protocol.message;

import static org.cairnfs.protocol.message.WireLimits.checkShare;
import static org.cairnfs.protocol.message.WireLimits.checkShares;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Every response a server may send, each echoing the request id of its request.
 * Constructors validate fields against {@link WireLimits}; byte arrays are copied.
 */
public sealed interface Response extends Message {

  /** Success with nothing to return. */
  record Ok() implements Response {
    @Override
    public MessageType type() {
      return MessageType.OK;
    }
  }

  /** What a server is and what it accepts. */
  record ServerInfo(int protocolVersion, String softwareVersion, long freeSpace, long maxShareSize,
      int maxFrameLength, int maxInFlight) implements Response {
    public ServerInfo {
      if (protocolVersion < 0 || protocolVersion > 0xFFFF) {
        throw new IllegalArgumentException("protocol version must fit 16 bits, got " + protocolVersion);
      }
      checkString(softwareVersion, "software version");
      if (freeSpace < 0 || maxShareSize < 0 || maxFrameLength < 0 || maxInFlight < 0) {
        throw new IllegalArgumentException("server info values must be >= 0: free=" + freeSpace
            + " maxShare=" + maxShareSize + " maxFrame=" + maxFrameLength + " inFlight=" + maxInFlight);
      }
    }

    @Override
    public MessageType type() {
      return MessageType.SERVER_INFO;
    }
  }

  /** Share numbers held for a storage index. */
  record ShareNumbers(Set<Integer> shares) implements Response {
    public ShareNumbers {
      shares = checkShares(shares);
    }

    @Override
    public MessageType type() {
      return MessageType.SHARE_NUMBERS;
    }
  }

  /**
   * Result of Allocate: shares the client should now write, and shares already complete here
   * (a claim the client checks against its cap before counting it; numbers in neither set are
   * being uploaded by another client). See wire.md, section 6.
   */
  record Allocated(Set<Integer> allocated, Set<Integer> alreadyHave) implements Response {
    public Allocated {
      allocated = checkShares(allocated);
      alreadyHave = checkShares(alreadyHave);
    }

    @Override
    public MessageType type() {
      return MessageType.ALLOCATED;
    }
  }

  /**
   * Bytes read from a share; shorter than asked when the share ends first. A class, not a
   * record, only so that {@link #wrapping} can skip the defensive copy: every byte a download
   * reads passes through one of these twice (the server's answer, the client's decoded frame).
   */
  final class Data implements Response {
    private final ByteBuffer data; // position 0, never written: the message stays immutable
    /** The pooled buffer {@link #data} lies in, when the message owns one; else null. */
    private final io.netty.buffer.ByteBuf pooled;
    /** Set once {@link #pooled} is given back; null without one (every decoded answer). */
    private final java.util.concurrent.atomic.AtomicBoolean released;

    /** A copy of {@code data}. */
    public Data(byte[] data) {
      this.data = ByteBuffer.wrap(WireLimits.checkChunk(data));
      this.pooled = null;
      this.released = null;
    }

    private Data(ByteBuffer owned) {
      WireLimits.checkChunkLength(owned.remaining());
      this.data = owned.slice();
      this.pooled = null;
      this.released = null;
    }

    private Data(io.netty.buffer.ByteBuf owned) {
      WireLimits.checkChunkLength(owned.readableBytes());
      this.data = owned.nioBuffer(owned.readerIndex(), owned.readableBytes());
      this.pooled = owned;
      this.released = new java.util.concurrent.atomic.AtomicBoolean();
    }

    /**
     * The readable bytes of {@code owned}, not copied, and the caller's reference to it: for the
     * server's read into a pooled direct buffer, which the frame encoder hands to the socket
     * as it is. Whoever drops the message must {@link #release} it.
     */
    public static Data owning(io.netty.buffer.ByteBuf owned) {
      try {
        return new Data(owned);
      } catch (RuntimeException e) {
        owned.release();
        throw e;
      }
    }

    /** The pooled buffer this message owns, if any (the frame encoder sends it uncopied). */
    public java.util.Optional<io.netty.buffer.ByteBuf> pooled() {
      return java.util.Optional.ofNullable(pooled);
    }

    /**
     * Gives back the pooled buffer, once; nothing for a message over an array. After it the
     * bytes must not be read.
     */
    public void release() {
      if (pooled != null && released.compareAndSet(false, true)) {
        pooled.release();
      }
    }

    /**
     * The array itself, not a copy: for a caller that made it for this message and keeps no
     * other reference (the server's read), so the message stays immutable.
     */
    public static Data wrapping(byte[] owned) {
      return new Data(ByteBuffer.wrap(owned));
    }

    /**
     * {@code length} bytes of {@code owned} from {@code offset}, not copied: for the frame
     * decoder, whose frame array holds the data field and is not used after decoding.
     */
    public static Data wrapping(byte[] owned, int offset, int length) {
      return new Data(ByteBuffer.wrap(owned, offset, length));
    }

    public byte[] data() {
      byte[] out = new byte[data.remaining()];
      data.get(0, out);
      return out;
    }

    /** The bytes as a read-only view, without copying (for the codec and the store). */
    public ByteBuffer view() {
      return data.asReadOnlyBuffer();
    }

    public int length() {
      return data.remaining();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Data d && data.equals(d.data);
    }

    @Override
    public int hashCode() {
      return data.hashCode();
    }

    @Override
    public String toString() {
      return "Data[" + data.remaining() + " bytes]";
    }

    @Override
    public MessageType type() {
      return MessageType.DATA;
    }
  }

  /** One complete share and its size in bytes. */
  record ShareSize(int share, long size) {
    public ShareSize {
      checkShare(share);
      if (size < 0) {
        throw new IllegalArgumentException("share size must be >= 0, got " + size);
      }
    }
  }

  /** Complete shares of a storage index, each share number at most once, sorted. */
  record ShareList(List<ShareSize> shares) implements Response {
    public ShareList {
      List<ShareSize> sorted = new ArrayList<>(shares);
      sorted.sort((a, b) -> Integer.compare(a.share(), b.share()));
      Set<Integer> seen = new HashSet<>();
      for (ShareSize s : sorted) {
        if (!seen.add(s.share())) {
          throw new IllegalArgumentException("share " + s.share() + " listed twice");
        }
      }
      shares = List.copyOf(sorted);
    }

    @Override
    public MessageType type() {
      return MessageType.SHARE_LIST;
    }
  }

  /** The bytes read from one share of a mutable slot and the seqnum of the version it holds. */
  record SlotShare(int share, long seqnum, byte[] data) {
    public SlotShare {
      checkShare(share);
      if (seqnum < 0) {
        throw new IllegalArgumentException("seqnum must be >= 0, got " + seqnum);
      }
      data = WireLimits.checkChunk(data);
    }

    @Override
    public byte[] data() {
      return data.clone();
    }

    public int length() {
      return data.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SlotShare s && share == s.share && seqnum == s.seqnum
          && Arrays.equals(data, s.data);
    }

    @Override
    public int hashCode() {
      return Objects.hash(share, seqnum, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
      return "SlotShare[share=" + share + ", seqnum=" + seqnum + ", " + data.length + " bytes]";
    }
  }

  /** Result of ReadSlot: one entry per share held (and asked for), sorted, total data bounded. */
  record SlotData(List<SlotShare> shares) implements Response {
    public SlotData {
      List<SlotShare> sorted = new ArrayList<>(shares);
      sorted.sort((a, b) -> Integer.compare(a.share(), b.share()));
      Set<Integer> seen = new HashSet<>();
      long total = 0;
      for (SlotShare s : sorted) {
        if (!seen.add(s.share())) {
          throw new IllegalArgumentException("share " + s.share() + " listed twice");
        }
        total += s.length();
      }
      if (total > WireLimits.MAX_CHUNK) {
        throw new IllegalArgumentException("slot data totals " + total + " bytes, more than "
            + WireLimits.MAX_CHUNK + "; ask for fewer shares or a shorter range");
      }
      shares = List.copyOf(sorted);
    }

    @Override
    public MessageType type() {
      return MessageType.SLOT_DATA;
    }
  }

  /** Announcements pushed to a subscriber, under the request id of its Subscribe. */
  record AnnouncementPush(List<byte[]> announcements) implements Response {
    public AnnouncementPush {
      if (announcements.size() > WireLimits.MAX_ANNOUNCEMENTS_PER_PUSH) {
        throw new IllegalArgumentException("at most " + WireLimits.MAX_ANNOUNCEMENTS_PER_PUSH
            + " announcements per push, got " + announcements.size());
      }
      List<byte[]> copy = new ArrayList<>(announcements.size());
      for (byte[] a : announcements) {
        if (a.length > WireLimits.MAX_ANNOUNCEMENT) {
          throw new IllegalArgumentException("announcement must be at most "
              + WireLimits.MAX_ANNOUNCEMENT + " bytes, got " + a.length);
        }
        copy.add(a.clone());
      }
      announcements = List.copyOf(copy);
    }

    @Override
    public List<byte[]> announcements() {
      List<byte[]> out = new ArrayList<>(announcements.size());
      for (byte[] a : announcements) {
        out.add(a.clone());
      }
      return out;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof AnnouncementPush p) || p.announcements.size() != announcements.size()) {
        return false;
      }
      for (int i = 0; i < announcements.size(); i++) {
        if (!Arrays.equals(announcements.get(i), p.announcements.get(i))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      int h = 1;
      for (byte[] a : announcements) {
        h = 31 * h + Arrays.hashCode(a);
      }
      return h;
    }

    @Override
    public String toString() {
      return "AnnouncementPush[" + announcements.size() + " announcements]";
    }

    @Override
    public MessageType type() {
      return MessageType.ANNOUNCEMENT_PUSH;
    }
  }

  /** A failed request (or, with request id 0, a connection-level failure). */
  record Error(ErrorCode code, String message) implements Response {
    public Error {
      Objects.requireNonNull(code, "code");
      message = truncate(message == null ? "" : message);
    }

    @Override
    public MessageType type() {
      return MessageType.ERROR;
    }
  }

  private static void checkString(String s, String what) {
    Objects.requireNonNull(s, what);
    int n = s.getBytes(StandardCharsets.UTF_8).length;
    if (n > WireLimits.MAX_STRING) {
      throw new IllegalArgumentException(what + " must be at most " + WireLimits.MAX_STRING
          + " UTF-8 bytes, got " + n);
    }
  }

  /** Cuts a message to MAX_STRING UTF-8 bytes so an error can always be sent. */
  private static String truncate(String s) {
    if (s.length() * 3 <= WireLimits.MAX_STRING) {
      return s;
    }
    String cut = s.length() > WireLimits.MAX_STRING / 3 ? s.substring(0, WireLimits.MAX_STRING / 3) : s;
    return cut;
  }
}
