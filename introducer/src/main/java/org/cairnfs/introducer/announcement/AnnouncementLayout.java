package org.cairnfs.introducer.announcement;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.introducer.AddressFormatException;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.protocol.message.WireLimits;

/**
 * The byte layout of a signed announcement ({@code docs/specs/announcement.md}): a fixed header,
 * the public key, the length-prefixed strings and addresses, then the signature. Everything
 * before the signature-length field is the signed body. All integers are big-endian.
 */
final class AnnouncementLayout {
  static final byte[] MAGIC = {'C', 'A', 'N', 'N'};
  static final int VERSION = 1;
  static final int OFFSET_NODE_ID = 6;
  static final int OFFSET_SEQUENCE = 38;
  static final int OFFSET_ISSUED_AT = 46;
  static final int OFFSET_FREE_SPACE = 54;
  static final int OFFSET_KEY_ALGORITHM = 62;
  static final int OFFSET_KEY_LENGTH = 63;
  static final int OFFSET_KEY = 65;
  /** Largest encoded public key (an ECDSA P-256 SPKI is 91 bytes, Ed25519 44). */
  static final int MAX_KEY = 256;
  /** Largest signature (a DER ECDSA P-256 signature is at most 72 bytes, Ed25519 64). */
  static final int MAX_SIGNATURE = 256;

  private AnnouncementLayout() {}

  /** The signed body: every field except the signature. */
  static byte[] encodeBody(byte[] nodeId, ServerDetails d, SignatureScheme scheme, byte[] spki) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.writeBytes(MAGIC);
    writeU16(out, VERSION);
    out.writeBytes(nodeId);
    writeLong(out, d.sequence());
    writeLong(out, d.issuedAt().toEpochMilli());
    writeLong(out, d.freeSpace());
    out.write(scheme.wire());
    if (spki.length == 0 || spki.length > MAX_KEY) {
      throw new IllegalArgumentException("encoded public key must be 1.." + MAX_KEY + " bytes, got " + spki.length);
    }
    writeU16(out, spki.length);
    out.writeBytes(spki);
    writeString(out, d.nickname());
    writeString(out, d.softwareVersion());
    out.write(d.addresses().size());
    for (HostPort a : d.addresses()) {
      byte[] host = a.host().getBytes(StandardCharsets.US_ASCII);
      out.write(host.length);
      out.writeBytes(host);
      writeU16(out, a.port());
    }
    return out.toByteArray();
  }

  /** Body followed by the signature-length field and the signature. */
  static byte[] appendSignature(byte[] body, byte[] signature) {
    if (signature.length == 0 || signature.length > MAX_SIGNATURE) {
      throw new IllegalStateException("signature must be 1.." + MAX_SIGNATURE + " bytes, got " + signature.length);
    }
    byte[] out = new byte[body.length + 2 + signature.length];
    System.arraycopy(body, 0, out, 0, body.length);
    out[body.length] = (byte) (signature.length >>> 8);
    out[body.length + 1] = (byte) signature.length;
    System.arraycopy(signature, 0, out, body.length + 2, signature.length);
    return out;
  }

  /** Every field of a parsed announcement, not yet verified. */
  record Fields(byte[] nodeId, ServerDetails details, SignatureScheme scheme, byte[] spki,
      int bodyLength, byte[] signature) {}

  /** Parses with every length bounds-checked before use; does not verify the signature. */
  static Fields decode(byte[] bytes) throws AnnouncementException {
    if (bytes.length > WireLimits.MAX_ANNOUNCEMENT) {
      throw new AnnouncementException("announcement is " + bytes.length + " bytes, at most "
          + WireLimits.MAX_ANNOUNCEMENT + " allowed");
    }
    Reader r = new Reader(bytes);
    byte[] magic = r.bytes(4, "magic");
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new AnnouncementException("not an announcement: bad magic at offset 0");
    }
    int version = r.u16("version");
    if (version != VERSION) {
      throw new AnnouncementException("unsupported announcement version " + version + " at offset 4");
    }
    byte[] nodeId = r.bytes(32, "node id");
    long sequence = r.nonNegativeLong("sequence");
    long issuedAt = r.nonNegativeLong("issued-at");
    long freeSpace = r.nonNegativeLong("free space");
    SignatureScheme scheme = SignatureScheme.fromWire(r.u8("key algorithm"));
    int keyLength = r.u16("public key length");
    if (keyLength == 0 || keyLength > MAX_KEY) {
      throw new AnnouncementException("public key length " + keyLength + " at offset "
          + OFFSET_KEY_LENGTH + " is outside 1.." + MAX_KEY);
    }
    byte[] spki = r.bytes(keyLength, "public key");
    String nickname = r.string("nickname", ServerDetails.MAX_NICKNAME);
    String version0 = r.string("software version", ServerDetails.MAX_VERSION);
    int count = r.u8("address count");
    if (count == 0 || count > ServerDetails.MAX_ADDRESSES) {
      throw new AnnouncementException("address count " + count + " at offset " + (r.pos - 1)
          + " is outside 1.." + ServerDetails.MAX_ADDRESSES);
    }
    List<HostPort> addresses = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int at = r.pos;
      int hostLength = r.u8("address " + i + " host length");
      byte[] host = r.bytes(hostLength, "address " + i + " host");
      int port = r.u16("address " + i + " port");
      try {
        addresses.add(new HostPort(new String(host, StandardCharsets.US_ASCII), port));
      } catch (AddressFormatException e) {
        throw new AnnouncementException("address " + i + " at offset " + at + ": " + e.getMessage(), e);
      }
    }
    int bodyLength = r.pos;
    int sigLength = r.u16("signature length");
    if (sigLength == 0 || sigLength > MAX_SIGNATURE) {
      throw new AnnouncementException("signature length " + sigLength + " at offset " + bodyLength
          + " is outside 1.." + MAX_SIGNATURE);
    }
    byte[] signature = r.bytes(sigLength, "signature");
    if (r.pos != bytes.length) {
      throw new AnnouncementException((bytes.length - r.pos) + " trailing bytes after the signature at offset " + r.pos);
    }
    ServerDetails details;
    try {
      details = new ServerDetails(nickname, addresses, freeSpace, version0, sequence,
          java.time.Instant.ofEpochMilli(issuedAt));
    } catch (IllegalArgumentException e) {
      throw new AnnouncementException("bad field: " + e.getMessage(), e);
    }
    return new Fields(nodeId, details, scheme, spki, bodyLength, signature);
  }

  private static void writeU16(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v);
  }

  private static void writeLong(ByteArrayOutputStream out, long v) {
    out.writeBytes(ByteBuffer.allocate(8).putLong(v).array());
  }

  private static void writeString(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeU16(out, b.length);
    out.writeBytes(b);
  }

  /** A cursor that names the field and offset of every short read. */
  private static final class Reader {
    private final byte[] data;
    int pos;

    Reader(byte[] data) {
      this.data = data;
    }

    private void need(int n, String field) throws AnnouncementException {
      if (n > data.length - pos) {
        throw new AnnouncementException("truncated: " + field + " needs " + n + " bytes at offset "
            + pos + ", only " + (data.length - pos) + " left");
      }
    }

    byte[] bytes(int n, String field) throws AnnouncementException {
      need(n, field);
      byte[] out = java.util.Arrays.copyOfRange(data, pos, pos + n);
      pos += n;
      return out;
    }

    int u8(String field) throws AnnouncementException {
      need(1, field);
      return data[pos++] & 0xFF;
    }

    int u16(String field) throws AnnouncementException {
      need(2, field);
      int v = ((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF);
      pos += 2;
      return v;
    }

    long nonNegativeLong(String field) throws AnnouncementException {
      need(8, field);
      long v = ByteBuffer.wrap(data, pos, 8).getLong();
      if (v < 0) {
        throw new AnnouncementException(field + " at offset " + pos + " exceeds 2^63-1");
      }
      pos += 8;
      return v;
    }

    String string(String field, int maxBytes) throws AnnouncementException {
      int at = pos;
      int n = u16(field + " length");
      if (n > maxBytes) {
        throw new AnnouncementException(field + " length " + n + " at offset " + at
            + " exceeds " + maxBytes);
      }
      byte[] b = bytes(n, field);
      try {
        String s = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(b)).toString();
        String bad = ServerDetails.controlCharacter(s);
        if (bad != null) {
          throw new AnnouncementException(field + " at offset " + (at + 2) + " contains a control or format character " + bad);
        }
        return s;
      } catch (CharacterCodingException e) {
        throw new AnnouncementException(field + " at offset " + (at + 2) + " is not valid UTF-8", e);
      }
    }
  }
}
