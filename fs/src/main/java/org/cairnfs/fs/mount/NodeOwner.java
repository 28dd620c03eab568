package org.cairnfs.fs.mount;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.cairnfs.caps.dirnode.EntryMetadata;

/**
 * A node's owner as the grid keeps it: the entry xattr {@value #XATTR}, uid then gid as u32
 * big-endian (docs/specs/dirnode.md, "Reserved xattr names").
 *
 * <p>Why an xattr: version-3 entries already carry named values, so keeping owners needs no new
 * format, and the mount accepts only {@code user.*} names from applications, so this one cannot
 * collide. An entry carries it once its owner was set to anyone other than the mounting user
 * (by chown, or by creating it as another user); a node without it shows the mounting user, as
 * every node did before owners were kept.
 *
 * @param uid the owner's user id (u32; Java's negative ints for ids above 2^31)
 * @param gid the owner's group id (u32)
 */
record NodeOwner(int uid, int gid) {
  static final String XATTR = "cairn.owner";
  /** What it adds to an entry's xattrs as {@code EntryMetadata.xattrBytes} counts them. */
  static final int XATTR_BYTES = XATTR.length() + 8;

  /**
   * What the entry records about {@code n}: its metadata, with its owner once that was set
   * ({@link Node#ownerKept}) or whenever it is not the mounting user, if it {@link #fits}.
   */
  static NodeMetadata recorded(Node n, MountConfig config, boolean gridKeepsXattrs) {
    NodeMetadata m = n.metadata();
    boolean keep = n.ownerKept || n.uid != config.ownerUid() || n.gid != config.ownerGid();
    if (!keep || !fits(n, gridKeepsXattrs)) {
      return m;
    }
    return m.withXattrs(new NodeOwner(n.uid, n.gid).addedTo(m.xattrs()));
  }

  /**
   * Whether {@code n}'s entry can keep its owner: not on a grid that keeps no xattrs (owners stay
   * in memory there), nor beside application xattrs that leave it no room (the mount keeps room
   * for it, but another writer's entry may be full).
   */
  static boolean fits(Node n, boolean gridKeepsXattrs) {
    return gridKeepsXattrs && n.xattrs.size() < EntryMetadata.MAX_XATTRS
        && EntryMetadata.xattrBytes(n.xattrs)
            <= EntryMetadata.MAX_XATTR_BYTES - XATTR_BYTES;
  }

  /** The owner kept in {@code xattrs}, if any; a value not 8 bytes long is none. */
  static Optional<NodeOwner> in(Map<String, byte[]> xattrs) {
    byte[] v = xattrs.get(XATTR);
    if (v == null || v.length != 8) {
      return Optional.empty();
    }
    ByteBuffer b = ByteBuffer.wrap(v);
    return Optional.of(new NodeOwner(b.getInt(), b.getInt()));
  }

  /** {@code xattrs} without the owner: the application's xattrs. */
  static Map<String, byte[]> without(Map<String, byte[]> xattrs) {
    if (!xattrs.containsKey(XATTR)) {
      return xattrs;
    }
    TreeMap<String, byte[]> rest = new TreeMap<>(xattrs);
    rest.remove(XATTR);
    return rest;
  }

  /** {@code xattrs} with this owner added. */
  Map<String, byte[]> addedTo(Map<String, byte[]> xattrs) {
    TreeMap<String, byte[]> all = new TreeMap<>(xattrs);
    all.put(XATTR, ByteBuffer.allocate(8).putInt(uid).putInt(gid).array());
    return all;
  }
}
