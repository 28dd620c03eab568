package org.cairnfs.fs.mount;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.JournalRecord.DirCreated;
import org.cairnfs.fs.mount.JournalRecord.EntriesPublished;
import org.cairnfs.fs.mount.JournalRecord.FileCommit;
import org.cairnfs.fs.mount.JournalRecord.FileUploaded;
import org.cairnfs.fs.mount.JournalRecord.NameSeq;
import org.cairnfs.fs.mount.JournalRecord.RemoveEntry;
import org.cairnfs.fs.mount.JournalRecord.SetEntry;

/**
 * The journal's bytes (docs/specs/journal.md): an 8-byte header, then frames
 * {@code u32 body length | body | u32 CRC-32C(body)} with {@code body = u8 type | u64 seq |
 * payload}. Decoding stops at the first frame that is cut short, fails its CRC or does not parse:
 * what comes before is a consistent prefix.
 */
final class JournalCodec {
  static final byte[] MAGIC = {'C', 'J', 'N', 'L'};
  /**
   * Version 3: special files (kinds 3 to 6, child ref 5 with the device number). Version 2
   * frames are version 3 frames without them; version 1's pages were 64 KiB (read and scaled
   * at replay).
   */
  static final int VERSION = 3;
  static final int HEADER_BYTES = 8;
  static final int MAX_BODY = 1 << 20;
  static final int MAX_INLINE = 64 * 1024;

  static final int SET_ENTRY = 1;
  static final int REMOVE_ENTRY = 2;
  static final int DIR_CREATED = 3;
  static final int FILE_COMMIT = 4;
  static final int FILE_UPLOADED = 5;
  static final int ENTRIES_PUBLISHED = 6;

  private JournalCodec() {}

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
   * The version a journal holding {@code records} needs: 3 with a special file's entry, else 2,
   * which an older Cairn still mounts.
   */
  static int versionFor(java.util.Collection<? extends JournalRecord> records) {
    for (JournalRecord r : records) {
      if (r instanceof SetEntry s && s.child() instanceof ChildRef.Special) {
        return VERSION;
      }
    }
    return VERSION_WITHOUT_SPECIALS;
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
      out.writeByte(type(r));
      out.writeLong(seq);
      payload(out, r);
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
        JournalRecord r = parse(type, b, pageScale);
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

  private static int type(JournalRecord r) {
    if (r instanceof SetEntry) {
      return SET_ENTRY;
    } else if (r instanceof RemoveEntry) {
      return REMOVE_ENTRY;
    } else if (r instanceof DirCreated) {
      return DIR_CREATED;
    } else if (r instanceof FileCommit) {
      return FILE_COMMIT;
    } else if (r instanceof FileUploaded) {
      return FILE_UPLOADED;
    } else {
      return ENTRIES_PUBLISHED;
    }
  }

  private static void payload(DataOutputStream out, JournalRecord r) throws IOException {
    if (r instanceof SetEntry s) {
      dirRef(out, s.dir());
      str(out, s.name());
      childRef(out, s.child());
      meta(out, s.meta());
    } else if (r instanceof RemoveEntry s) {
      dirRef(out, s.dir());
      str(out, s.name());
      out.writeByte(s.moved() ? 1 : 0);
    } else if (r instanceof DirCreated s) {
      out.writeLong(s.id());
      str(out, s.cap());
    } else if (r instanceof FileCommit s) {
      out.writeLong(s.id());
      out.writeLong(s.gen());
      optStr(out, s.base());
      out.writeLong(s.baseSize());
      out.writeLong(s.size());
      out.writeLong(s.limit());
      out.writeInt(s.pages().size());
      for (PageRun p : s.pages()) {
        out.writeLong(p.start());
        out.writeInt(p.count());
      }
      if (s.inline().isPresent()) {
        out.writeByte(1);
        out.writeInt(s.inline().get().length);
        out.write(s.inline().get());
      } else {
        out.writeByte(0);
      }
    } else if (r instanceof FileUploaded s) {
      out.writeLong(s.id());
      out.writeLong(s.gen());
      str(out, s.cap());
      out.writeLong(s.size());
    } else if (r instanceof EntriesPublished s) {
      dirRef(out, s.dir());
      out.writeInt(s.names().size());
      for (NameSeq n : s.names()) {
        str(out, n.name());
        out.writeLong(n.seq());
      }
    }
  }

  private static JournalRecord parse(int type, ByteBuffer b, int pageScale) {
    switch (type) {
      case SET_ENTRY:
        return setEntry(dirRef(b), str(b), childRef(b), meta(b));
      case REMOVE_ENTRY: {
        DirRef d = dirRef(b);
        String name = str(b);
        return new RemoveEntry(d, name, bool(b));
      }
      case DIR_CREATED:
        return new DirCreated(b.getLong(), str(b));
      case FILE_COMMIT: {
        long id = b.getLong();
        long gen = b.getLong();
        Optional<String> base = optStr(b);
        long baseSize = nonNegative(b.getLong());
        long size = nonNegative(b.getLong());
        long limit = nonNegative(b.getLong());
        int runs = b.getInt();
        if (runs < 0 || runs > b.remaining() / 12) {
          throw new IllegalArgumentException("bad run count");
        }
        List<PageRun> pages = new ArrayList<>(runs);
        for (int i = 0; i < runs; i++) {
          long start = b.getLong();
          int count = b.getInt();
          if (start < 0 || count <= 0 || start > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bad page run");
          }
          if ((start + count) * pageScale > Integer.MAX_VALUE) {
            if (pageScale == 1) {
              throw new IllegalArgumentException("page run past the page range");
            }
            throw new BeyondPageRange("file " + id + " (generation " + gen + ", size " + size
                + " bytes) has changes up to byte " + (start + count) * 65_536L + ", past the "
                + MountCore.MAX_FILE_SIZE + " bytes (8 TiB - 4 KiB) that 4 KiB spool pages"
                + " reach");
          }
          pages.add(new PageRun(start * pageScale, count * pageScale));
        }
        Optional<byte[]> inline = Optional.empty();
        if (bool(b)) {
          int n = b.getInt();
          if (n < 0 || n > MAX_INLINE || n > b.remaining()) {
            throw new IllegalArgumentException("bad inline length");
          }
          byte[] data = new byte[n];
          b.get(data);
          inline = Optional.of(data);
        }
        return new FileCommit(id, gen, base, baseSize, size, limit, pages, inline);
      }
      case FILE_UPLOADED:
        return new FileUploaded(b.getLong(), b.getLong(), str(b), nonNegative(b.getLong()));
      case ENTRIES_PUBLISHED: {
        DirRef d = dirRef(b);
        int n = b.getInt();
        if (n < 0 || n > b.remaining() / 10) {
          throw new IllegalArgumentException("bad name count");
        }
        List<NameSeq> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          names.add(new NameSeq(str(b), b.getLong()));
        }
        return new EntriesPublished(d, names);
      }
      default:
        throw new IllegalArgumentException("unknown record type " + type);
    }
  }

  private static long nonNegative(long v) {
    if (v < 0) {
      throw new IllegalArgumentException("negative length");
    }
    return v;
  }

  private static boolean bool(ByteBuffer b) {
    int v = b.get();
    if (v != 0 && v != 1) {
      throw new IllegalArgumentException("bad flag");
    }
    return v == 1;
  }

  private static void dirRef(DataOutputStream out, DirRef d) throws IOException {
    if (d instanceof DirRef.Cap c) {
      out.writeByte(1);
      str(out, c.cap());
    } else {
      out.writeByte(2);
      out.writeLong(((DirRef.Local) d).id());
    }
  }

  private static DirRef dirRef(ByteBuffer b) {
    int tag = b.get();
    return switch (tag) {
      case 1 -> new DirRef.Cap(str(b));
      case 2 -> new DirRef.Local(b.getLong());
      default -> throw new IllegalArgumentException("bad dir ref " + tag);
    };
  }

  private static void childRef(DataOutputStream out, ChildRef c) throws IOException {
    if (c instanceof ChildRef.Cap cap) {
      out.writeByte(1);
      str(out, cap.cap());
    } else if (c instanceof ChildRef.LocalFile f) {
      out.writeByte(2);
      out.writeLong(f.id());
      out.writeLong(f.gen());
    } else if (c instanceof ChildRef.LocalDir d) {
      out.writeByte(3);
      out.writeLong(d.id());
    } else if (c instanceof ChildRef.Special sp) {
      out.writeByte(5);
      out.writeInt((int) sp.rdev());
    } else {
      out.writeByte(4);
    }
  }

  /** A SetEntry whose metadata carries a special node's device number from its child ref. */
  private static SetEntry setEntry(DirRef dir, String name, ChildRef child, NodeMetadata m) {
    boolean special = child instanceof ChildRef.Special;
    if (special != m.kind().isSpecial()) {
      throw new IllegalArgumentException("child ref does not match kind " + m.kind());
    }
    return new SetEntry(dir, name, child,
        special ? m.withRdev(((ChildRef.Special) child).rdev()) : m);
  }

  private static ChildRef childRef(ByteBuffer b) {
    int tag = b.get();
    return switch (tag) {
      case 1 -> new ChildRef.Cap(str(b));
      case 2 -> new ChildRef.LocalFile(b.getLong(), b.getLong());
      case 3 -> new ChildRef.LocalDir(b.getLong());
      case 4 -> new ChildRef.Symlink();
      case 5 -> new ChildRef.Special(b.getInt() & 0xffff_ffffL);
      default -> throw new IllegalArgumentException("bad child ref " + tag);
    };
  }

  private static void meta(DataOutputStream out, NodeMetadata m) throws IOException {
    out.writeByte(m.kind().code());
    out.writeLong(m.size());
    out.writeShort(m.mode());
    out.writeLong(m.mtime().getEpochSecond());
    out.writeInt(m.mtime().getNano());
    out.writeLong(m.ctime().getEpochSecond());
    out.writeInt(m.ctime().getNano());
    optStr(out, m.symlinkTarget());
    out.writeShort(m.xattrs().size());
    for (Map.Entry<String, byte[]> x : m.xattrs().entrySet()) {
      str(out, x.getKey());
      out.writeInt(x.getValue().length);
      out.write(x.getValue());
    }
  }

  private static NodeMetadata meta(ByteBuffer b) {
    EntryKind kind = EntryKind.ofCode(b.get()); // an unknown code is an IllegalArgumentException
    long size = b.getLong();
    int mode = b.getShort() & 0xffff;
    Instant mtime = instant(b);
    Instant ctime = instant(b);
    Optional<String> target = optStr(b);
    int nx = b.getShort() & 0xffff;
    Map<String, byte[]> xattrs = new TreeMap<>();
    for (int i = 0; i < nx; i++) {
      String name = str(b);
      int n = b.getInt();
      if (n < 0 || n > b.remaining()) {
        throw new IllegalArgumentException("bad xattr length");
      }
      byte[] v = new byte[n];
      b.get(v);
      xattrs.put(name, v);
    }
    return new NodeMetadata(kind, size, mode, mtime, ctime, target, xattrs);
  }

  private static Instant instant(ByteBuffer b) {
    long s = b.getLong();
    int n = b.getInt();
    if (n < 0 || n > 999_999_999) {
      throw new IllegalArgumentException("bad nanoseconds");
    }
    return Instant.ofEpochSecond(s, n);
  }

  private static void optStr(DataOutputStream out, Optional<String> s) throws IOException {
    if (s.isPresent()) {
      out.writeByte(1);
      str(out, s.get());
    } else {
      out.writeByte(0);
    }
  }

  private static Optional<String> optStr(ByteBuffer b) {
    return bool(b) ? Optional.of(str(b)) : Optional.empty();
  }

  private static void str(DataOutputStream out, String s) throws IOException {
    byte[] u = s.getBytes(StandardCharsets.UTF_8);
    if (u.length > 0xffff) {
      throw new IllegalArgumentException("string of " + u.length + " bytes in a journal record");
    }
    out.writeShort(u.length);
    out.write(u);
  }

  private static String str(ByteBuffer b) {
    int n = b.getShort() & 0xffff;
    if (n > b.remaining()) {
      throw new BufferUnderflowException();
    }
    byte[] u = new byte[n];
    b.get(u);
    return new String(u, StandardCharsets.UTF_8);
  }
}
