package org.cairnfs.fs.mount;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.cairnfs.fs.mount.JournalRecord.SetEntry;

/**
 * The journal's bytes (docs/specs/journal.md): an 8-byte header, then frames
 * {@code u32 body length | body | u32 CRC-32C(body)} with {@code body = u8 type | u64 seq |
 * payload}. Decoding stops at the first frame that is cut short, fails its CRC or does not parse:
 * what comes before is a consistent prefix. Each type's payload is {@link JournalRecordCodec}'s.
 */
final class JournalCodec {
  static final byte[] MAGIC = {'C', 'J', 'N', 'L'};
  /**
   * Version 4: fresh entry changes (type 7, RemoveEntry's flag 2). Version 3: special files
   * (kinds 3 to 6, child ref 5 with the device number). Version 2 frames are version 3 frames
   * without them; version 1's pages were 64 KiB (read and scaled at replay).
   */
  static final int VERSION = 4;
  static final int HEADER_BYTES = 8;
  static final int MAX_BODY = 1 << 20;
  static final int MAX_INLINE = 64 * 1024;

  static final int SET_ENTRY = 1;
  static final int REMOVE_ENTRY = 2;
  static final int DIR_CREATED = 3;
  static final int FILE_COMMIT = 4;
  static final int FILE_UPLOADED = 5;
  static final int ENTRIES_PUBLISHED = 6;
  /** A SetEntry with {@code fresh} set (version 4). */
  static final int SET_FRESH_ENTRY = 7;

  private JournalCodec() {}

  /** Version 3 frames are version 4 frames without fresh entry changes. */
  static final int VERSION_WITHOUT_FRESH = 3;
  /** Version 2 frames are version 3 frames without special files. */
  static final int VERSION_WITHOUT_SPECIALS = 2;
  /** Offset of the version byte in the header. */
  static final int VERSION_OFFSET = 4;

  static byte[] header() {
    return header(VERSION);
  }

  static byte[] header(int version) {
    return new byte[] {'C', 'J', 'N', 'L', (byte) version, 0, 0, 0};
  }

  /**
   * The version a journal holding {@code records} needs: 4 with a fresh entry change, 3 with a
   * special file's entry, else 2, which an older Cairn still mounts.
   */
  static int versionFor(java.util.Collection<? extends JournalRecord> records) {
    int v = VERSION_WITHOUT_SPECIALS;
    for (JournalRecord r : records) {
      if (r instanceof SetEntry s && s.fresh()
          || r instanceof JournalRecord.RemoveEntry rm && rm.fresh()) {
        return VERSION;
      } else if (r instanceof SetEntry s && s.child() instanceof ChildRef.Special) {
        v = VERSION_WITHOUT_FRESH;
      }
    }
    return v;
  }

  /** One decoded frame. */
  record Entry(long seq, JournalRecord record) {}

  /**
   * The frames of a journal and the length of its valid prefix; {@code refusal} says why a
   * whole, valid frame cannot be read by this version (then the journal must not be replayed:
   * what follows that frame is not a torn tail).
   */
  record Decoded(List<Entry> entries, long validLength, boolean headerValid,
      Optional<String> refusal) {
    Decoded(List<Entry> entries, long validLength, boolean headerValid) {
      this(entries, validLength, headerValid, Optional.empty());
    }
  }

  /**
   * A version 1 frame this version cannot hold: a file whose 64 KiB pages, counted in 4 KiB
   * pages, pass the spool's page range (a version 1 mount took files up to 128 TiB).
   */
  static final class BeyondPageRange extends RuntimeException {
    BeyondPageRange(String message) {
      super(message);
    }
  }

  static byte[] encode(long seq, JournalRecord r) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(JournalRecordCodec.type(r));
      out.writeLong(seq);
      JournalRecordCodec.payload(out, r);
      byte[] body = bytes.toByteArray();
      if (body.length > MAX_BODY) {
        throw new IllegalArgumentException("journal record of " + body.length
            + " bytes is over " + MAX_BODY);
      }
      ByteBuffer frame = ByteBuffer.allocate(body.length + 8);
      frame.putInt(body.length).put(body).putInt(crc(body, 0, body.length));
      return frame.array();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Decoded decode(ByteBuffer in) {
    List<Entry> entries = new ArrayList<>();
    if (in.remaining() < HEADER_BYTES) {
      return new Decoded(entries, 0, false);
    }
    byte[] h = new byte[HEADER_BYTES];
    in.get(h);
    if (h[0] != 'C' || h[1] != 'J' || h[2] != 'N' || h[3] != 'L'
        || h[4] < 1 || h[4] > VERSION || h[5] != 0 || h[6] != 0 || h[7] != 0) {
      return new Decoded(entries, 0, false);
    }
    int pageScale = h[4] == 1 ? Layer.V1_PAGES_PER_PAGE : 1;
    long valid = HEADER_BYTES;
    while (in.remaining() >= 4) {
      int len = in.getInt();
      if (len < 9 || len > MAX_BODY || in.remaining() < (long) len + 4) {
        break;
      }
      byte[] body = new byte[len];
      in.get(body);
      int crc = in.getInt();
      if (crc != crc(body, 0, len)) {
        break;
      }
      Entry e;
      try {
        ByteBuffer b = ByteBuffer.wrap(body);
        int type = b.get() & 0xff;
        long seq = b.getLong();
        JournalRecord r = JournalRecordCodec.parse(type, b, pageScale);
        if (b.hasRemaining()) {
          break;
        }
        e = new Entry(seq, r);
      } catch (BeyondPageRange tooBig) {
        return new Decoded(entries, valid, true, Optional.of(tooBig.getMessage()));
      } catch (RuntimeException bad) {
        break;
      }
      entries.add(e);
      valid = in.position();
    }
    return new Decoded(entries, valid, true);
  }

  private static int crc(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return (int) c.getValue();
  }
}
