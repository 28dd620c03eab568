package org.cairnfs.fs.mount;

import java.util.Optional;
import java.util.function.LongSupplier;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.JournalRecord.SetEntry;

/**
 * Makes the tree's nodes from what a listing or the journal says a name holds: a grid entry
 * ({@link #fromRemote}) or a pending entry change ({@link #fromPending}), each a new node with
 * a new inode number, owned by the owner the entry keeps, else by the mounting user.
 */
final class EntryNodes {
  private final WriteBack wb;
  private final MountConfig config;
  private final LongSupplier inos;

  EntryNodes(WriteBack wb, MountConfig config, LongSupplier inos) {
    this.wb = wb;
    this.config = config;
    this.inos = inos;
  }

  private long ino() {
    return inos.getAsLong();
  }

  Node fromRemote(DirNode parent, RemoteEntry e) {
    NodeMetadata m = e.metadata();
    Node n;
    switch (m.kind()) {
      case DIRECTORY -> {
        String cap = e.cap().orElseThrow();
        boolean writable = parent.writable && isWritable(cap);
        n = new DirNode(ino(), new DirRef.Cap(cap), writable, false, m.mode(),
            config.ownerUid(), config.ownerGid(), m.mtime(), m.ctime());
      }
      case SYMLINK -> n = new SymlinkNode(ino(), m.symlinkTarget().orElseThrow(), m.mode(),
          config.ownerUid(), config.ownerGid(), m.mtime(), m.ctime());
      case FIFO, CHAR_DEVICE, BLOCK_DEVICE, SOCKET -> n = special(m);
      default -> n = new FileNode(ino(), wb.newFile(e.cap(), m.size()), m.mode(),
          config.ownerUid(), config.ownerGid(), m.mtime(), m.ctime());
    }
    n.takeXattrs(m.xattrs());
    return n;
  }

  private SpecialNode special(NodeMetadata m) {
    return new SpecialNode(ino(), m.kind(), m.rdev(), m.mode(), config.ownerUid(),
        config.ownerGid(), m.mtime(), m.ctime());
  }

  /**
   * {@code n}, which the listing shows with the same identity, with the entry's attributes. An
   * entry that could keep an owner and keeps none is the mounting user's again (another client
   * rewrote it without one); on a grid that keeps no xattrs, or beside xattrs that leave no room,
   * the owner stays the one in memory.
   */
  Node refreshed(Node n, NodeMetadata m) {
    n.mode = m.mode();
    n.mtime = m.mtime();
    n.ctime = m.ctime();
    n.takeXattrs(m.xattrs());
    if (NodeOwner.in(m.xattrs()).isEmpty() && NodeOwner.fits(n, wb.grid.keepsUserXattrs())) {
      n.uid = config.ownerUid();
      n.gid = config.ownerGid();
      n.ownerKept = false;
    }
    return n;
  }

  Node fromPending(DirNode parent, SetEntry s) {
    NodeMetadata m = s.meta();
    Node n;
    ChildRef c = s.child();
    if (c instanceof ChildRef.LocalDir ld) {
      n = new DirNode(ino(), new DirRef.Local(ld.id()), parent.writable, false, m.mode(),
          config.ownerUid(), config.ownerGid(), m.mtime(), m.ctime());
    } else if (c instanceof ChildRef.Symlink) {
      n = new SymlinkNode(ino(), m.symlinkTarget().orElse("?"), m.mode(), config.ownerUid(),
          config.ownerGid(), m.mtime(), m.ctime());
    } else if (c instanceof ChildRef.Special) {
      n = special(m);
    } else if (c instanceof ChildRef.LocalFile lf) {
      FileData data = wb.fileWithId(lf.id());
      n = new FileNode(ino(), data, m.mode(), config.ownerUid(), config.ownerGid(),
          m.mtime(), m.ctime());
    } else {
      String cap = ((ChildRef.Cap) c).cap();
      if (m.kind() == EntryKind.DIRECTORY) {
        n = new DirNode(ino(), new DirRef.Cap(cap), parent.writable && isWritable(cap), false,
            m.mode(), config.ownerUid(), config.ownerGid(), m.mtime(), m.ctime());
      } else {
        n = new FileNode(ino(), wb.newFile(Optional.of(cap), m.size()), m.mode(),
            config.ownerUid(), config.ownerGid(), m.mtime(), m.ctime());
      }
    }
    n.takeXattrs(m.xattrs());
    return n;
  }

  private static boolean isWritable(String cap) {
    try {
      return Cap.parse(cap).isWritable();
    } catch (RuntimeException e) {
      return false;
    }
  }
}
