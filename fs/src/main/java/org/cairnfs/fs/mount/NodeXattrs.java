package org.cairnfs.fs.mount;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.dirnode.EntryMetadata;

/**
 * The extended attributes of {@link MountCore}: the cap attributes ({@code user.cairn.*}, made
 * from the node's cap on the grid and never stored, shown to the mounting user and root only)
 * and the user attributes applications set, kept in the directory entry's metadata through
 * {@link Namespace#meta}.
 */
final class NodeXattrs {
  private final MountCore core;
  private final Namespace ns;
  private final WriteBack wb;
  private final Tree tree;
  private final MountConfig config;

  NodeXattrs(MountCore core, Namespace ns, WriteBack wb, Tree tree, MountConfig config) {
    this.core = core;
    this.ns = ns;
    this.wb = wb;
    this.tree = tree;
    this.config = config;
  }

  private static boolean isCapName(String name) {
    return name.equals(MountCore.READCAP) || name.equals(MountCore.WRITECAP)
        || name.equals(MountCore.VERIFYCAP);
  }

  /** Whether {@code caller} may have caps from the mount: the mounting user and root. */
  private boolean mayHaveCaps(Caller caller) {
    return caller.isRoot() || caller.uid() == config.ownerUid();
  }

  byte[] getxattr(String path, String name, Caller caller) throws FsException {
    List<String> names = Tree.names(path);
    tree.prepare(names, false);
    if (isCapName(name)) {
      if (!mayHaveCaps(caller)) {
        throw new FsException(FsError.ACCESS_DENIED, name + " is for the mounting user only:"
            + " a cap grants what it names whatever the modes say");
      }
      return capXattr(names, name).getBytes(StandardCharsets.US_ASCII);
    }
    if (name.equals("user.")) {
      throw new FsException(FsError.INVALID, "an attribute name needs a name after user.");
    }
    tree.lock.readLock().lock();
    try {
      byte[] v = tree.resolve(names).xattrs.get(name);
      if (v == null) {
        throw new FsException(FsError.NO_ATTRIBUTE, name + " not set on " + path);
      }
      return v.clone();
    } finally {
      tree.lock.readLock().unlock();
    }
  }

  /**
   * A cap xattr; waits for the node to reach the grid first when it has none yet. A directory's
   * cap also waits for the changes made in its subtree so far, so that whoever is given it sees
   * what is here now; if the grid cannot take them, the cap comes anyway (it is the directory's
   * for good) and the uploader goes on retrying.
   */
  private String capXattr(List<String> names, String attr) throws FsException {
    for (int attempt = 0; attempt < 3; attempt++) {
      Optional<String> cap;
      boolean writableHere;
      long changed = 0;
      if (attempt > 0) {
        tree.prepare(names, false); // the last attempt's pin ended with its lock
      }
      tree.lock.readLock().lock();
      try {
        Node n = tree.resolve(names);
        writableHere = n instanceof DirNode d ? d.writable : n.parent != null && n.parent.writable;
        if (n instanceof SymlinkNode || n instanceof SpecialNode) {
          throw new FsException(FsError.NO_ATTRIBUTE, "a " + n.kind() + " has no cap");
        } else if (n instanceof DirNode d) {
          DirRef r = wb.canonical(d.ref);
          cap = r instanceof DirRef.Cap c ? Optional.of(c.cap()) : Optional.empty();
          changed = Math.max(d.changedSeq.get(), wb.replayedSeq);
        } else {
          // the last closed version: changes a handle has not closed yet are not part of it
          FileNode f = (FileNode) n;
          cap = f.data.lastSealedGen() == 0 ? f.data.base() : Optional.empty();
        }
      } finally {
        tree.lock.readLock().unlock();
      }
      if (cap.isPresent()) {
        if (changed > 0) {
          try {
            wb.uploader.awaitPublished(changed, Long.MAX_VALUE / 4);
          } catch (FsException e) {
            // logged and retried by the uploader; shown by cairn status
          }
        }
        return diminish(cap.get(), attr, writableHere);
      }
      wb.uploader.awaitPublished(wb.lastSeq(), Long.MAX_VALUE / 4);
    }
    throw new FsException(FsError.IO, "the node has no cap on the grid yet");
  }

  private static String diminish(String capText, String attr, boolean writableHere)
      throws FsException {
    Cap cap;
    try {
      cap = Cap.parse(capText);
    } catch (RuntimeException e) {
      throw new FsException(FsError.IO, "stored cap does not parse: " + e.getMessage());
    }
    try {
      switch (attr) {
        case MountCore.READCAP:
          return cap.readOnly().toString();
        case MountCore.WRITECAP:
          if (!cap.isWritable() || !writableHere) {
            throw new FsException(FsError.NO_ATTRIBUTE, "no write cap here");
          }
          return cap.toString();
        default:
          return cap.verifyCap().orElseThrow(() -> new FsException(FsError.NO_ATTRIBUTE,
              "a literal has no verify cap")).toString();
      }
    } catch (RuntimeException e) {
      throw new FsException(FsError.NO_ATTRIBUTE, "cap of unknown kind: " + e.getMessage());
    }
  }

  List<String> listxattr(String path, Caller caller) throws FsException {
    List<String> names = Tree.names(path);
    tree.prepare(names, false);
    tree.lock.readLock().lock();
    try {
      Node n = tree.resolve(names);
      List<String> out = new ArrayList<>();
      if ((n instanceof FileNode || n instanceof DirNode) && mayHaveCaps(caller)) {
        // never the write cap: tools that copy xattrs (cp -a, rsync -X, tar --xattrs) would
        // carry write authority into every copy; getxattr still answers it by name
        out.add(MountCore.READCAP);
        if (verifiable(n)) {
          out.add(MountCore.VERIFYCAP);
        }
      }
      for (String name : n.xattrs.keySet()) {
        if (!isCapName(name)) { // another writer's entry cannot list a cap name twice
          out.add(name);
        }
      }
      return out;
    } finally {
      tree.lock.readLock().unlock();
    }
  }

  /**
   * Whether getxattr of the verify cap will answer (a literal has none): from the cap on the
   * grid while the node has no closed change pending, else from the size of the last closed
   * version (what getxattr waits for), never from changes a handle has not closed yet.
   */
  private boolean verifiable(Node n) {
    Optional<String> cap;
    if (n instanceof DirNode d) {
      DirRef r = wb.canonical(d.ref);
      cap = r instanceof DirRef.Cap c ? Optional.of(c.cap()) : Optional.empty();
      if (cap.isEmpty()) {
        return true; // made here: a mutable directory
      }
    } else {
      // as getxattr: the last closed version, not what a handle has written and not closed
      FileNode f = (FileNode) n;
      if (f.data.lastSealedGen() != 0) {
        return wb.grid.verifiable(f.data.lastSealedSize());
      }
      cap = f.data.base();
      if (cap.isEmpty()) {
        return wb.grid.verifiable(0); // made here, never closed: the empty file its create named
      }
    }
    try {
      return Cap.parse(cap.get()).verifyCap().isPresent();
    } catch (RuntimeException e) {
      return false; // getxattr refuses it too
    }
  }

  private void checkUserXattr(String name) throws FsException {
    if (isCapName(name)) {
      throw new FsException(FsError.NOT_PERMITTED, name + " is read-only");
    }
    if (!name.startsWith("user.")) {
      throw new FsException(FsError.NOT_SUPPORTED, "only user.* attributes are kept");
    }
    if (!wb.grid.keepsUserXattrs()) {
      throw new FsException(FsError.NOT_SUPPORTED, "this grid does not keep user xattrs");
    }
    if (name.length() == "user.".length()) {
      throw new FsException(FsError.INVALID, "an attribute name needs a name after user.");
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > 255) {
      throw new FsException(FsError.RANGE, "attribute name over 255 bytes");
    }
    if (name.indexOf('\uFFFD') >= 0) {
      throw new FsException(FsError.INVALID, "attribute name is not valid UTF-8");
    }
  }

  void setxattr(String path, String name, byte[] value, int flags) throws FsException {
    checkUserXattr(name);
    if (value.length > MountCore.MAX_XATTR_VALUE) {
      throw new FsException(FsError.RANGE, "attribute value over 64 KiB");
    }
    ns.meta(path, true, n -> {
      if (n instanceof SymlinkNode || n instanceof SpecialNode) {
        throw new FsException(FsError.NOT_PERMITTED, "user xattrs on a " + n.kind()
            + " are refused");
      }
      if (n instanceof DirNode d && d.isRoot) {
        // xattrs live in the parent's entry; the root has none, so they would not be journaled
        // (an unlinked open file has no parent either, and keeps them until its last close)
        throw new FsException(FsError.NOT_SUPPORTED, "the mount's root keeps no user xattrs");
      }
      boolean exists = n.xattrs.containsKey(name);
      if ((flags & MountCore.XATTR_CREATE) != 0 && exists) {
        throw new FsException(FsError.EXISTS, name + " exists");
      }
      if ((flags & MountCore.XATTR_REPLACE) != 0 && !exists) {
        throw new FsException(FsError.NO_ATTRIBUTE, name + " not set");
      }
      // counted as the directory entry will count them (a replacement counts once)
      TreeMap<String, byte[]> after = new TreeMap<>(n.xattrs);
      after.put(name, value.clone());
      if (after.size() > MountCore.MAX_XATTRS) {
        throw new FsException(FsError.NO_SPACE, "a node keeps at most " + MountCore.MAX_XATTRS
            + " user xattrs");
      }
      if (EntryMetadata.xattrBytes(after) > MountCore.MAX_XATTR_TOTAL) {
        throw new FsException(FsError.NO_SPACE, "a node's user xattrs are limited to "
            + MountCore.MAX_XATTR_TOTAL + " bytes of names and values in all");
      }
      n.xattrs = after;
      n.ctime = core.now();
    });
  }

  void removexattr(String path, String name) throws FsException {
    checkUserXattr(name);
    ns.meta(path, true, n -> {
      if (!n.xattrs.containsKey(name)) {
        throw new FsException(FsError.NO_ATTRIBUTE, name + " not set");
      }
      TreeMap<String, byte[]> after = new TreeMap<>(n.xattrs);
      after.remove(name);
      n.xattrs = Node.xattrsOf(after);
      n.ctime = core.now();
    });
  }
}
