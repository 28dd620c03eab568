package org.cairnfs.protocol.frame;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Frame;
import org.cairnfs.protocol.message.Hello;
import org.cairnfs.protocol.message.Message;
import org.cairnfs.protocol.message.MessageType;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WireLimits;
import org.cairnfs.protocol.message.WriteChunk;

/**
 * Encodes and decodes one frame without its 4-byte length prefix: {@code type (u8) |
 * request id (i64) | body}, all integers big-endian. Pure functions, no Netty pipeline state.
 *
 * <p>Example: {@code ReadRange(SI, share 3, offset 0, length 4096)} under request id 7 is
 * <pre>
 * 08 | 00 00 00 00 00 00 00 07 | SI (16 bytes) | 03 | 00 00 00 00 00 00 00 00 | 00 00 10 00
 * </pre>
 * (38 bytes; on the wire preceded by the length {@code 00 00 00 26}).
 */
public final class FrameCodec {
  /** Bytes of type + request id. */
  public static final int HEADER_LENGTH = 9;

  private FrameCodec() {}

  /** Decodes a whole frame; reads all of {@code frame}; never throws anything but the typed exception. */
  public static Frame decode(ByteBuf frame) throws FrameFormatException {
    if (frame.readableBytes() < HEADER_LENGTH) {
      throw new FrameFormatException(0, ErrorCode.BAD_REQUEST, true,
          "frame of " + frame.readableBytes() + " bytes is shorter than its " + HEADER_LENGTH + "-byte header");
    }
    int typeByte = frame.readUnsignedByte();
    long id = frame.readLong();
    MessageType type = MessageType.fromWire(typeByte);
    if (type == null) {
      frame.skipBytes(frame.readableBytes());
      throw new FrameFormatException(id, ErrorCode.UNSUPPORTED, false,
          String.format("unknown message type 0x%02x", typeByte));
    }
    BodyReader r = new BodyReader(frame, id);
    try {
      Message m = decodeBody(type, r);
      r.end();
      return new Frame(id, m);
    } catch (IllegalArgumentException e) {
      // A record constructor refused a decoded value (e.g. chunk past the share end).
      throw r.bad(type + ": " + e.getMessage());
    } finally {
      frame.skipBytes(frame.readableBytes());
    }
  }

  private static Message decodeBody(MessageType type, BodyReader r) throws FrameFormatException {
    switch (type) {
      case HELLO: {
        byte[] magic = r.fixed(Hello.MAGIC.length, "magic");
        if (!Arrays.equals(magic, Hello.MAGIC)) {
          throw r.bad("bad magic: not a Cairn wire connection");
        }
        return new Hello(r.u16("version"), r.u8("roles"));
      }
      case PING:
        return new Request.Ping();
      case GET_SERVER_INFO:
        return new Request.GetServerInfo();
      case GET_SHARE_NUMBERS:
        return new Request.GetShareNumbers(r.index());
      case ALLOCATE: {
        StorageIndex si = r.index();
        byte[] renew = r.fixed(WireLimits.SECRET_LENGTH, "renew secret");
        byte[] cancel = r.fixed(WireLimits.SECRET_LENGTH, "cancel secret");
        long size = r.nonNegative("share size");
        Set<Integer> shares = r.shares("share numbers");
        return new Request.Allocate(si, renew, cancel, size, shares);
      }
      case WRITE_CHUNK: {
        StorageIndex si = r.index();
        int share = r.share();
        long offset = r.nonNegative("offset");
        return r.data("data", WireLimits.MAX_CHUNK,
            (a, from, n) -> WriteChunk.wrapping(si, share, offset, a, from, n));
      }
      case CLOSE_SHARE:
        return new Request.CloseShare(r.index(), r.share());
      case ABORT_SHARE:
        return new Request.AbortShare(r.index(), r.share());
      case READ_RANGE: {
        StorageIndex si = r.index();
        int share = r.share();
        long offset = r.nonNegative("offset");
        return new Request.ReadRange(si, share, offset, r.length("length", WireLimits.MAX_CHUNK));
      }
      case LIST_SHARES:
        return new Request.ListShares(r.index());
      case READ_SLOT: {
        StorageIndex si = r.index();
        Set<Integer> shares = r.shares("share numbers");
        long offset = r.nonNegative("offset");
        return new Request.ReadSlot(si, shares, offset, r.length("length", WireLimits.MAX_CHUNK));
      }
      case WRITE_SLOT_SHARE: {
        StorageIndex si = r.index();
        int share = r.share();
        byte[] renew = r.fixed(WireLimits.SECRET_LENGTH, "renew secret");
        byte[] cancel = r.fixed(WireLimits.SECRET_LENGTH, "cancel secret");
        long total = r.nonNegative("total size");
        long offset = r.nonNegative("offset");
        return new Request.WriteSlotShare(si, share, renew, cancel, total, offset,
            r.bytes("data", WireLimits.MAX_CHUNK));
      }
      case ADD_LEASE: {
        StorageIndex si = r.index();
        byte[] renew = r.fixed(WireLimits.SECRET_LENGTH, "renew secret");
        return new Request.AddLease(si, renew, r.fixed(WireLimits.SECRET_LENGTH, "cancel secret"));
      }
      case RENEW_LEASE:
        return new Request.RenewLease(r.index(), r.fixed(WireLimits.SECRET_LENGTH, "renew secret"));
      case PUBLISH:
        return new Request.Publish(r.bytes("announcement", WireLimits.MAX_ANNOUNCEMENT));
      case SUBSCRIBE:
        return new Request.Subscribe();
      case OK:
        return new Response.Ok();
      case SERVER_INFO: {
        int version = r.u16("protocol version");
        String software = r.string("software version");
        long free = r.nonNegative("free space");
        long maxShare = r.nonNegative("max share size");
        int maxFrame = r.length("max frame length", Integer.MAX_VALUE);
        return new Response.ServerInfo(version, software, free, maxShare, maxFrame,
            r.length("max in flight", Integer.MAX_VALUE));
      }
      case SHARE_NUMBERS:
        return new Response.ShareNumbers(r.shares("share numbers"));
      case ALLOCATED: {
        Set<Integer> allocated = r.shares("allocated");
        return new Response.Allocated(allocated, r.shares("already have"));
      }
      case DATA:
        return r.data("data", WireLimits.MAX_CHUNK);
      case SHARE_LIST: {
        int count = r.u16("share count");
        if (count > WireLimits.MAX_SHARE_NUMBER + 1) {
          throw r.bad("share count must be <= 256, got " + count);
        }
        List<Response.ShareSize> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          int share = r.share();
          list.add(new Response.ShareSize(share, r.nonNegative("share size")));
        }
        return new Response.ShareList(list);
      }
      case SLOT_DATA: {
        int count = r.u16("share count");
        if (count > WireLimits.MAX_SHARE_NUMBER + 1) {
          throw r.bad("share count must be <= 256, got " + count);
        }
        List<Response.SlotShare> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          int share = r.share();
          long seqnum = r.nonNegative("seqnum");
          list.add(new Response.SlotShare(share, seqnum, r.bytes("data", WireLimits.MAX_CHUNK)));
        }
        return new Response.SlotData(list);
      }
      case ANNOUNCEMENT_PUSH: {
        int count = r.u16("announcement count");
        if (count > WireLimits.MAX_ANNOUNCEMENTS_PER_PUSH) {
          throw r.bad("announcement count must be <= " + WireLimits.MAX_ANNOUNCEMENTS_PER_PUSH
              + ", got " + count);
        }
        List<byte[]> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          list.add(r.bytes("announcement", WireLimits.MAX_ANNOUNCEMENT));
        }
        return new Response.AnnouncementPush(list);
      }
      case ERROR: {
        ErrorCode code = ErrorCode.fromWire(r.u8("error code"));
        return new Response.Error(code, r.string("error message"));
      }
      default:
        throw new FrameFormatException(0, ErrorCode.UNSUPPORTED, false, "no decoder for " + type);
    }
  }

  /** Writes type, request id and body of {@code frame} to {@code out}. */
  public static void encode(Frame frame, ByteBuf out) {
    encode(frame, out, true);
  }

  /**
   * {@link #encode}, but for a {@link Response.Data} with {@code dataBytes} false, everything
   * before its bytes (the encoder sends those from the message's own buffer, uncopied).
   */
  static void encode(Frame frame, ByteBuf out, boolean dataBytes) {
    Message m = frame.message();
    out.writeByte(m.type().wire());
    out.writeLong(frame.requestId());
    if (!dataBytes && m instanceof Response.Data d) {
      out.writeInt(d.length());
    } else if (m instanceof Hello h) {
      out.writeBytes(Hello.MAGIC).writeShort(h.version()).writeByte(h.roles());
    } else if (m instanceof Request req) {
      encodeRequest(req, out);
    } else if (m instanceof Response resp) {
      encodeResponse(resp, out);
    }
  }

  private static void encodeRequest(Request m, ByteBuf out) {
    if (m instanceof Request.GetShareNumbers g) {
      index(out, g.index());
    } else if (m instanceof Request.Allocate a) {
      index(out, a.index());
      out.writeBytes(a.renewSecret()).writeBytes(a.cancelSecret()).writeLong(a.shareSize());
      shares(out, a.shareNumbers());
    } else if (m instanceof WriteChunk w) {
      index(out, w.index());
      out.writeByte(w.share()).writeLong(w.offset());
      bytes(out, w.view());
    } else if (m instanceof Request.CloseShare c) {
      index(out, c.index());
      out.writeByte(c.share());
    } else if (m instanceof Request.AbortShare a) {
      index(out, a.index());
      out.writeByte(a.share());
    } else if (m instanceof Request.ReadRange r) {
      index(out, r.index());
      out.writeByte(r.share()).writeLong(r.offset()).writeInt(r.length());
    } else if (m instanceof Request.ListShares l) {
      index(out, l.index());
    } else if (m instanceof Request.ReadSlot r) {
      index(out, r.index());
      shares(out, r.shares());
      out.writeLong(r.offset()).writeInt(r.length());
    } else if (m instanceof Request.WriteSlotShare w) {
      index(out, w.index());
      out.writeByte(w.share()).writeBytes(w.renewSecret()).writeBytes(w.cancelSecret())
          .writeLong(w.totalSize()).writeLong(w.offset());
      bytes(out, w.view());
    } else if (m instanceof Request.AddLease a) {
      index(out, a.index());
      out.writeBytes(a.renewSecret()).writeBytes(a.cancelSecret());
    } else if (m instanceof Request.RenewLease r) {
      index(out, r.index());
      out.writeBytes(r.renewSecret());
    } else if (m instanceof Request.Publish p) {
      bytes(out, p.announcement());
    }
    // Ping, GetServerInfo, Subscribe: empty body.
  }

  private static void encodeResponse(Response m, ByteBuf out) {
    if (m instanceof Response.ServerInfo s) {
      out.writeShort(s.protocolVersion());
      string(out, s.softwareVersion());
      out.writeLong(s.freeSpace()).writeLong(s.maxShareSize())
          .writeInt(s.maxFrameLength()).writeInt(s.maxInFlight());
    } else if (m instanceof Response.ShareNumbers s) {
      shares(out, s.shares());
    } else if (m instanceof Response.Allocated a) {
      shares(out, a.allocated());
      shares(out, a.alreadyHave());
    } else if (m instanceof Response.Data d) {
      bytes(out, d.view());
    } else if (m instanceof Response.ShareList l) {
      out.writeShort(l.shares().size());
      for (Response.ShareSize s : l.shares()) {
        out.writeByte(s.share()).writeLong(s.size());
      }
    } else if (m instanceof Response.SlotData d) {
      out.writeShort(d.shares().size());
      for (Response.SlotShare s : d.shares()) {
        out.writeByte(s.share()).writeLong(s.seqnum());
        bytes(out, s.data());
      }
    } else if (m instanceof Response.AnnouncementPush p) {
      List<byte[]> list = p.announcements();
      out.writeShort(list.size());
      for (byte[] a : list) {
        bytes(out, a);
      }
    } else if (m instanceof Response.Error e) {
      out.writeByte(e.code().wire());
      string(out, e.message());
    }
    // Ok: empty body.
  }

  private static void index(ByteBuf out, StorageIndex si) {
    out.writeBytes(si.toBytes());
  }

  private static void shares(ByteBuf out, Set<Integer> shares) {
    out.writeShort(shares.size());
    for (int s : shares) {
      out.writeByte(s);
    }
  }

  private static void bytes(ByteBuf out, byte[] data) {
    out.writeInt(data.length).writeBytes(data);
  }

  private static void bytes(ByteBuf out, ByteBuffer data) {
    out.writeInt(data.remaining()).writeBytes(data);
  }

  private static void string(ByteBuf out, String s) {
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(raw.length, WireLimits.MAX_STRING);
    out.writeShort(n).writeBytes(raw, 0, n);
  }
}
