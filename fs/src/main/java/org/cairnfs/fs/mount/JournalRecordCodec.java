package org.cairnfs.fs.mount;

import static org.cairnfs.fs.mount.JournalCodec.DIR_CREATED;
import static org.cairnfs.fs.mount.JournalCodec.ENTRIES_PUBLISHED;
import static org.cairnfs.fs.mount.JournalCodec.FILE_COMMIT;
import static org.cairnfs.fs.mount.JournalCodec.FILE_UPLOADED;
import static org.cairnfs.fs.mount.JournalCodec.MAX_INLINE;
import static org.cairnfs.fs.mount.JournalCodec.REMOVE_ENTRY;
import static org.cairnfs.fs.mount.JournalCodec.SET_ENTRY;
import static org.cairnfs.fs.mount.JournalCodec.SET_FRESH_ENTRY;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.JournalCodec.BeyondPageRange;
import org.cairnfs.fs.mount.JournalRecord.DirCreated;
import org.cairnfs.fs.mount.JournalRecord.EntriesPublished;
import org.cairnfs.fs.mount.JournalRecord.FileCommit;
import org.cairnfs.fs.mount.JournalRecord.FileUploaded;
import org.cairnfs.fs.mount.JournalRecord.NameSeq;
import org.cairnfs.fs.mount.JournalRecord.RemoveEntry;
import org.cairnfs.fs.mount.JournalRecord.SetEntry;

/**
 * The payload of each journal record type (docs/specs/journal.md, "Records"): the type byte and
 * the fields after the sequence number, down to refs, metadata and strings. The header, framing
 * and CRC are {@link JournalCodec}'s.
 */
final class JournalRecordCodec {
  private JournalRecordCodec() {}

  /** The record's type byte. */
  static int type(JournalRecord r) {
    if (r instanceof SetEntry s) {
      return s.fresh() ? SET_FRESH_ENTRY : SET_ENTRY;
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

  /** Writes the record's payload (what follows the type byte and the sequence number). */
  static void payload(DataOutputStream out, JournalRecord r) throws IOException {
    if (r instanceof SetEntry s) {
      dirRef(out, s.dir());
      str(out, s.name());
      childRef(out, s.child());
      meta(out, s.meta());
    } else if (r instanceof RemoveEntry s) {
      dirRef(out, s.dir());
      str(out, s.name());
      out.writeByte((s.moved() ? 1 : 0) | (s.fresh() ? 2 : 0));
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

  /**
   * Reads a payload of {@code type}, scaling page runs by {@code pageScale} (version 1's 64 KiB
   * pages); a bad payload is a {@link RuntimeException}.
   *
   * @throws BeyondPageRange for a version 1 run past this version's page range
   */
  static JournalRecord parse(int type, ByteBuffer b, int pageScale) {
    switch (type) {
      case SET_ENTRY:
        return setEntry(dirRef(b), str(b), childRef(b), meta(b));
      case SET_FRESH_ENTRY:
        return setEntry(dirRef(b), str(b), childRef(b), meta(b)).withFresh(true);
      case REMOVE_ENTRY: {
        DirRef d = dirRef(b);
        String name = str(b);
        int flags = b.get();
        if ((flags & ~3) != 0) {
          throw new IllegalArgumentException("bad flags");
        }
        return new RemoveEntry(d, name, (flags & 1) != 0, (flags & 2) != 0);
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
