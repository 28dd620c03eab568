package org.cairnfs.caps.dirnode;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;

/**
 * Byte layouts of a paged directory (format version 2, docs/specs/dirnode.md): the root in the
 * directory's mutable file, inner pages and leaf pages as immutable files. A leaf whose entries
 * need special kinds or xattrs is a version-3 leaf (version-3 entry layout); the rest of the
 * tree is version 2 whatever its leaves are.
 *
 * <p>Canonical and strict like version 1: fixed-width integers, separators and names strictly
 * ascending, no trailing bytes, every length checked against what remains before it is read,
 * nothing over {@link #MAX_PAGE_BYTES}. Where a page sits in the tree (its level and the name
 * range its parent gives it) is checked by the tree code as it descends, since a page alone
 * cannot know it.
 */
public final class PageCodec {
  public static final int VERSION = 2;
  /** Leaf pages whose entries use the version-3 layout; roots and inner pages stay at 2. */
  public static final int LEAF_VERSION_3 = 3;
  /** No root or page may be larger; bounds what a reader of a hostile page allocates. */
  public static final int MAX_PAGE_BYTES = 64 * 1024;
  /** Page levels under a root; with at least 2 children per inner node this is ample. */
  public static final int MAX_HEIGHT = 16;
  static final byte[] LEAF_MAGIC = {'C', 'D', 'L', 'P'};
  static final byte[] INNER_MAGIC = {'C', 'D', 'I', 'P'};
  static final int LEAF_HEADER = 7;
  static final int INNER_HEADER = 8;
  static final int ROOT_HEADER = 12;
  static final int STORED = 0;
  static final int INLINE = 1;
  static final int STORED_REF_LENGTH = 1 + 32 + 32 + 1 + 1 + 4;

  private PageCodec() {}

  static void checkNode(String what, List<PageKey> separators, List<PageRef> children) {
    if (separators == null || children == null || children.size() < 2
        || separators.size() != children.size() - 1) {
      throw new DirectoryFormatException(what + " needs at least 2 children and one separator"
          + " fewer");
    }
    for (int i = 1; i < separators.size(); i++) {
      if (separators.get(i - 1).compareTo(separators.get(i)) >= 0) {
        throw new DirectoryFormatException(what + ": separator " + i + " is not after the one"
            + " before it");
      }
    }
  }

  // ---- lengths ----

  /**
   * Bytes a leaf page of {@code entries} takes, exactly: in a version-3 leaf (some entry needs
   * it) every entry, even one that would not need it alone, takes the version-3 layout.
   */
  public static long leafLength(List<DirectoryEntry> entries) {
    boolean v3 = EntryCodec.needsVersion3(entries);
    long n = LEAF_HEADER;
    for (DirectoryEntry e : entries) {
      n += EntryCodec.length(e, v3);
    }
    return n;
  }

  /**
   * Bytes one entry takes in the layout it needs itself: version 1 unless it needs version 3.
   * Summing this over a leaf is exact unless the leaf mixes both; use {@link #leafLength} or
   * {@link #entryLength(DirectoryEntry, boolean)} for that.
   */
  public static int entryLength(DirectoryEntry e) {
    return EntryCodec.length(e, e.metadata().needsVersion3());
  }

  /** Bytes one entry takes in a version-3 leaf when {@code inVersion3Leaf}, else version 2. */
  public static int entryLength(DirectoryEntry e, boolean inVersion3Leaf) {
    if (!inVersion3Leaf && e.metadata().needsVersion3()) {
      throw new IllegalArgumentException("entry \"" + e.name() + "\" needs a version-3 leaf");
    }
    return EntryCodec.length(e, inVersion3Leaf);
  }

  /** Bytes one child ref adds to an inner node; null counts as a stored page (the most). */
  public static int refLength(PageRef ref) {
    return ref == null || ref instanceof PageRef.Stored ? STORED_REF_LENGTH
        : 2 + (int) ref.size();
  }

  /** Bytes one separator adds to an inner node. */
  public static int separatorLength(PageKey key) {
    return 1 + key.length();
  }

  /** Header bytes of an inner page. */
  public static int innerHeaderLength() {
    return INNER_HEADER;
  }

  /** Header bytes of a paged root. */
  public static int rootHeaderLength() {
    return ROOT_HEADER;
  }

  /** Header bytes of a leaf page. */
  public static int leafHeaderLength() {
    return LEAF_HEADER;
  }

  private static int bodyLength(List<PageKey> separators, List<PageRef> children) {
    int n = 0;
    for (PageKey k : separators) {
      n += separatorLength(k);
    }
    for (PageRef r : children) {
      n += refLength(r);
    }
    return n;
  }

  // ---- leaf pages ----

  /**
   * A leaf page: magic "CDLP", version 2 (version-1 entries) or, when some entry needs it,
   * version 3 (version-3 entries), u16 count (>= 1), entries ascending.
   */
  public static byte[] encodeLeaf(List<DirectoryEntry> entries) {
    if (entries.isEmpty() || entries.size() > 0xffff) {
      throw new DirectoryFormatException("a leaf page holds 1..65535 entries, got "
          + entries.size());
    }
    boolean v3 = EntryCodec.needsVersion3(entries);
    long length = leafLength(entries);
    checkSize("leaf page", length);
    ByteBuffer b = ByteBuffer.allocate((int) length);
    b.put(LEAF_MAGIC).put((byte) (v3 ? LEAF_VERSION_3 : VERSION))
        .putShort((short) entries.size());
    DirectoryEntry previous = null;
    for (DirectoryEntry e : entries) {
      if (previous != null && previous.name().compareTo(e.name()) >= 0) {
        throw new DirectoryFormatException("leaf entries must be strictly ascending: \""
            + e.name() + "\" after \"" + previous.name() + "\"");
      }
      EntryCodec.write(b, e, v3);
      previous = e;
    }
    return b.array();
  }

  public static List<DirectoryEntry> decodeLeaf(byte[] bytes) {
    checkSize("leaf page", bytes.length);
    DirectoryCodec.Reader r = new DirectoryCodec.Reader(bytes);
    r.need(LEAF_HEADER, "leaf page header");
    magic(bytes, LEAF_MAGIC, "leaf page");
    r.pos = 4;
    int version = r.u8();
    if (version != VERSION && version != LEAF_VERSION_3) {
      throw new DirectoryFormatException("unknown leaf page version " + version);
    }
    boolean v3 = version == LEAF_VERSION_3;
    int count = r.u16();
    if (count < 1) {
      throw new DirectoryFormatException("a leaf page holds at least one entry");
    }
    if (count > (bytes.length - LEAF_HEADER) / EntryCodec.minLength(v3)) {
      throw new DirectoryFormatException("entry count " + count + " cannot fit in "
          + (bytes.length - LEAF_HEADER) + " bytes");
    }
    return List.of(EntryCodec.readAll(r, count, v3));
  }

  // ---- inner pages ----

  /** An inner page: magic "CDIP", version 2, level, u16 child count, then the children. */
  public static byte[] encodeInner(InnerPage page) {
    int length = INNER_HEADER + bodyLength(page.separators(), page.children());
    checkSize("inner page", length);
    ByteBuffer b = ByteBuffer.allocate(length);
    b.put(INNER_MAGIC).put((byte) VERSION).put((byte) page.level())
        .putShort((short) page.children().size());
    writeBody(b, page.separators(), page.children());
    return b.array();
  }

  public static InnerPage decodeInner(byte[] bytes) {
    checkSize("inner page", bytes.length);
    DirectoryCodec.Reader r = new DirectoryCodec.Reader(bytes);
    r.need(INNER_HEADER, "inner page header");
    magic(bytes, INNER_MAGIC, "inner page");
    r.pos = 4;
    version(r.u8(), "inner page");
    int level = r.u8();
    if (level < 1 || level >= MAX_HEIGHT) {
      throw new DirectoryFormatException("inner page level " + level + " outside 1.."
          + (MAX_HEIGHT - 1));
    }
    int count = r.u16();
    Body body = readBody(r, count, "inner page");
    return new InnerPage(level, body.separators, body.children);
  }

  // ---- roots ----

  /** A paged root: "CDIR", version 2, height, u32 entry count, u16 child count, children. */
  public static byte[] encodeRoot(PagedRoot root) {
    int length = ROOT_HEADER + bodyLength(root.separators(), root.children());
    checkSize("paged root", length);
    ByteBuffer b = ByteBuffer.allocate(length);
    b.put(DirectoryCodec.MAGIC).put((byte) VERSION).put((byte) root.height())
        .putInt((int) root.entryCount()).putShort((short) root.children().size());
    writeBody(b, root.separators(), root.children());
    return b.array();
  }

  public static PagedRoot decodeRoot(byte[] bytes) {
    checkSize("paged root", bytes.length);
    DirectoryCodec.Reader r = new DirectoryCodec.Reader(bytes);
    r.need(ROOT_HEADER, "paged root header");
    magic(bytes, DirectoryCodec.MAGIC, "directory");
    r.pos = 4;
    version(r.u8(), "paged root");
    int height = r.u8();
    if (height < 1 || height > MAX_HEIGHT) {
      throw new DirectoryFormatException("paged root height " + height + " outside 1.."
          + MAX_HEIGHT);
    }
    long entryCount = r.u32();
    int count = r.u16();
    Body body = readBody(r, count, "paged root");
    return new PagedRoot(height, entryCount, body.separators, body.children);
  }

  // ---- shared ----

  private static void writeBody(ByteBuffer b, List<PageKey> separators,
      List<PageRef> children) {
    for (int i = 0; i < children.size(); i++) {
      if (i > 0) {
        byte[] key = separators.get(i - 1).bytesUnsafe();
        b.put((byte) key.length).put(key);
      }
      PageRef ref = children.get(i);
      if (ref instanceof PageRef.Stored s) {
        ImmutableReadCap c = s.cap();
        b.put((byte) STORED).put(c.key()).put(c.extensionHash()).put((byte) (c.k() - 1))
            .put((byte) (c.n() - 1)).putInt((int) c.size());
      } else {
        byte[] data = ((PageRef.Inline) ref).cap().data();
        b.put((byte) INLINE).put((byte) data.length).put(data);
      }
    }
  }

  private record Body(List<PageKey> separators, List<PageRef> children) {}

  private static Body readBody(DirectoryCodec.Reader r, int count, String what) {
    if (count < 2) {
      throw new DirectoryFormatException(what + " needs at least 2 children, got " + count);
    }
    if (count > (r.bytes.length - r.pos) / 2) {
      throw new DirectoryFormatException(what + ": " + count + " children cannot fit in "
          + (r.bytes.length - r.pos) + " bytes");
    }
    List<PageKey> separators = new ArrayList<>(count - 1);
    List<PageRef> children = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      try {
        if (i > 0) {
          int length = r.u8();
          if (length < 1) {
            throw new DirectoryFormatException("separator is empty");
          }
          PageKey key = PageKey.of(r.bytes(length, "separator"));
          if (!separators.isEmpty() && separators.get(separators.size() - 1).compareTo(key)
              >= 0) {
            throw new DirectoryFormatException("separator is not after the one before it");
          }
          separators.add(key);
        }
        children.add(readRef(r));
      } catch (DirectoryFormatException e) {
        throw new DirectoryFormatException(what + " child " + i + ": " + e.getMessage());
      }
    }
    if (r.pos != r.bytes.length) {
      throw new DirectoryFormatException(what + ": " + (r.bytes.length - r.pos)
          + " trailing bytes after the last child");
    }
    return new Body(separators, children);
  }

  private static PageRef readRef(DirectoryCodec.Reader r) {
    int kind = r.u8();
    if (kind == STORED) {
      byte[] key = r.bytes(32, "page key");
      byte[] ext = r.bytes(32, "page extension hash");
      int k = r.u8() + 1;
      int n = r.u8() + 1;
      long size = r.u32();
      if (k > n) {
        throw new DirectoryFormatException("page k (" + k + ") exceeds n (" + n + ")");
      }
      if (size <= LiteralCap.MAX_SIZE || size > MAX_PAGE_BYTES) {
        throw new DirectoryFormatException("stored page size " + size + " outside "
            + (LiteralCap.MAX_SIZE + 1) + ".." + MAX_PAGE_BYTES);
      }
      return new PageRef.Stored(new ImmutableReadCap(key, ext, k, n, size));
    } else if (kind == INLINE) {
      int length = r.u8();
      if (length > LiteralCap.MAX_SIZE) {
        throw new DirectoryFormatException("inline page of " + length + " bytes, at most "
            + LiteralCap.MAX_SIZE);
      }
      return new PageRef.Inline(new LiteralCap(r.bytes(length, "inline page")));
    }
    throw new DirectoryFormatException("unknown page ref kind " + kind);
  }

  private static void magic(byte[] bytes, byte[] magic, String what) {
    if (!Arrays.equals(bytes, 0, 4, magic, 0, 4)) {
      throw new DirectoryFormatException("not a " + what + ": bad magic");
    }
  }

  private static void version(int version, String what) {
    if (version != VERSION) {
      throw new DirectoryFormatException("unknown " + what + " version " + version);
    }
  }

  private static void checkSize(String what, long length) {
    if (length > MAX_PAGE_BYTES) {
      throw new DirectoryFormatException(what + " of " + length + " bytes exceeds "
          + MAX_PAGE_BYTES);
    }
  }
}
