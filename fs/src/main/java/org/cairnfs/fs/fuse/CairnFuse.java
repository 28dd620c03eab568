package org.cairnfs.fs.fuse;

import java.nio.ByteBuffer;
import java.util.List;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.Caller;
import org.cairnfs.fs.mount.DirEntryInfo;
import org.cairnfs.fs.mount.FsError;
import org.cairnfs.fs.mount.FsException;
import org.cairnfs.fs.mount.MountCore;
import org.cairnfs.fs.mount.StatInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The jnr-fuse edge: each callback translates arguments, calls the {@link MountCore}, and maps
 * every failure to an errno once ({@link Errno}); nothing escapes into native code. Nothing
 * here knows about the grid, the journal or locks.
 */
final class CairnFuse extends FuseStubFS {
  private static final Logger LOG = LoggerFactory.getLogger(CairnFuse.class);

  private final MountCore core;

  CairnFuse(MountCore core) {
    this.core = core;
    if (!FuseStructs.setFlagWord(fuseOperations)) {
      LOG.warn("unexpected fuse_operations layout ({} bytes): an unlinked open file loses its"
          + " path", Struct.size(fuseOperations));
    }
  }

  private interface Op {
    int run() throws FsException;
  }

  private static int call(String what, Op op) {
    try {
      return op.run();
    } catch (FsException e) {
      if (e.error() == FsError.IO || e.error() == FsError.NO_SPACE) {
        LOG.warn("{}: {}", what, e.getMessage());
      }
      return Errno.of(e.error());
    } catch (Throwable t) {
      LOG.error("{} failed unexpectedly", what, t);
      return Errno.io();
    }
  }

  private Caller caller() {
    var ctx = getContext();
    return new Caller((int) ctx.uid.get(), (int) ctx.gid.get(), ctx.pid.longValue());
  }

  @Override
  public int getattr(String path, FileStat stat) {
    return call("getattr", () -> {
      FuseStructs.fill(stat, core.getattr(path));
      return 0;
    });
  }

  @Override
  public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
    return call("fgetattr", () -> {
      FuseStructs.fill(stat, core.fgetattr(fi.fh.get()));
      return 0;
    });
  }

  @Override
  public int readlink(String path, Pointer buf, @size_t long size) {
    return call("readlink", () -> {
      FuseStructs.putCString(buf, size, core.readlink(path));
      return 0;
    });
  }

  @Override
  public int mknod(String path, @mode_t long mode, long rdev) {
    // only FIFOs, sockets and devices come here: the kernel makes a regular file (or type 0)
    // with create, and libfuse turns a mknod of one into create too
    return call("mknod", () -> {
      // rdev arrives as the kernel's 32-bit encoding and goes back as st_rdev unchanged
      EntryKind kind = StatInfo.kindOf((int) mode).filter(EntryKind::isSpecial)
          .orElseThrow(() -> new FsException(FsError.INVALID, "mknod of mode 0"
              + Integer.toOctalString((int) mode)));
      core.mknod(path, kind, (int) mode & 07777, kind.isDevice() ? rdev & 0xffff_ffffL : 0,
          caller());
      return 0;
    });
  }

  @Override
  public int mkdir(String path, @mode_t long mode) {
    return call("mkdir", () -> {
      core.mkdir(path, (int) mode & 07777, caller());
      return 0;
    });
  }

  @Override
  public int unlink(String path) {
    return call("unlink", () -> {
      core.unlink(path);
      return 0;
    });
  }

  @Override
  public int rmdir(String path) {
    return call("rmdir", () -> {
      core.rmdir(path);
      return 0;
    });
  }

  @Override
  public int symlink(String target, String path) {
    return call("symlink", () -> {
      core.symlink(target, path, caller());
      return 0;
    });
  }

  @Override
  public int rename(String from, String to) {
    return call("rename", () -> {
      core.rename(from, to, 0);
      return 0;
    });
  }

  @Override
  public int link(String from, String to) {
    return call("link", () -> {
      core.link(from, to);
      return 0;
    });
  }

  @Override
  public int chmod(String path, @mode_t long mode) {
    return call("chmod", () -> {
      core.chmod(path, (int) mode & 07777);
      return 0;
    });
  }

  @Override
  public int chown(String path, long uid, long gid) {
    return call("chown", () -> {
      core.chown(path, (int) uid, (int) gid, caller());
      return 0;
    });
  }

  @Override
  public int truncate(String path, @off_t long size) {
    return call("truncate", () -> {
      core.truncate(path, size);
      return 0;
    });
  }

  @Override
  public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
    return call("ftruncate", () -> {
      core.ftruncate(fi.fh.get(), size);
      return 0;
    });
  }

  @Override
  public int fallocate(String path, int mode, @off_t long off, @off_t long length,
      FuseFileInfo fi) {
    return call("fallocate", () -> {
      core.fallocate(fi.fh.get(), mode, off, length);
      return 0;
    });
  }

  @Override
  public int create(String path, @mode_t long mode, FuseFileInfo fi) {
    return call("create", () -> {
      fi.fh.set(core.create(path, (int) mode & 07777, fi.flags.get(), caller()));
      return 0;
    });
  }

  @Override
  public int open(String path, FuseFileInfo fi) {
    return call("open", () -> {
      long fh = core.open(path, fi.flags.get(), caller());
      fi.fh.set(fh);
      if (core.keepCache(fh)) {
        FuseStructs.keepCache(fi);
      }
      return 0;
    });
  }

  @Override
  public int read(String path, Pointer buf, @size_t long size, @off_t long offset,
      FuseFileInfo fi) {
    return call("read", () -> {
      ByteBuffer dst = FuseStructs.view(buf, size);
      int total = 0;
      while (dst.hasRemaining()) {
        int n = core.read(fi.fh.get(), dst, offset + total);
        if (n <= 0) {
          break;
        }
        total += n;
      }
      return total;
    });
  }

  @Override
  public int write(String path, Pointer buf, @size_t long size, @off_t long offset,
      FuseFileInfo fi) {
    return call("write", () -> core.write(fi.fh.get(), FuseStructs.view(buf, size), offset));
  }

  @Override
  public int statfs(String path, Statvfs st) {
    return call("statfs", () -> {
      FuseStructs.fill(st, core.statfs());
      return 0;
    });
  }

  @Override
  public int flush(String path, FuseFileInfo fi) {
    return call("flush", () -> {
      core.flush(fi.fh.get());
      return 0;
    });
  }

  @Override
  public int release(String path, FuseFileInfo fi) {
    return call("release", () -> {
      core.release(fi.fh.get());
      return 0;
    });
  }

  @Override
  public int fsync(String path, int isdatasync, FuseFileInfo fi) {
    return call("fsync", () -> {
      core.fsync(fi.fh.get(), isdatasync != 0);
      return 0;
    });
  }

  @Override
  public int fsyncdir(String path, FuseFileInfo fi) {
    return call("fsyncdir", () -> {
      core.sync(java.time.Duration.ofDays(1));
      return 0;
    });
  }

  /**
   * No opendir: the kernel opens only what it knows is a directory, and a name changed behind
   * it fails here at the first getdents. Offset 0 to the filler: libfuse keeps every entry
   * (it never reports a full buffer) and hands them out by the kernel's offsets.
   */
  @Override
  public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset,
      FuseFileInfo fi) {
    return call("readdir", () -> {
      List<DirEntryInfo> entries = core.readdir(path);
      for (DirEntryInfo e : entries) {
        filler.apply(buf, e.name(), FuseStructs.entryStat(e.stat()), 0);
      }
      return 0;
    });
  }

  @Override
  public int access(String path, int mask) {
    return call("access", () -> {
      core.access(path, mask, caller());
      return 0;
    });
  }

  @Override
  public int utimens(String path, Timespec[] ts) {
    return call("utimens", () -> {
      core.utimens(path, FuseStructs.spec(ts[0]), FuseStructs.spec(ts[1]));
      return 0;
    });
  }

  @Override
  public int getxattr(String path, String name, Pointer value, @size_t long size) {
    return call("getxattr", () -> {
      return FuseStructs.putSized(value, size, core.getxattr(path, name, caller()));
    });
  }

  @Override
  public int listxattr(String path, Pointer list, @size_t long size) {
    return call("listxattr", () -> {
      return FuseStructs.putSized(list, size,
          FuseStructs.nulTerminated(core.listxattr(path, caller())));
    });
  }

  @Override
  public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
    // the kernel refuses a value over 64 KiB (E2BIG) before it comes, and the core its own
    return call("setxattr", () -> {
      byte[] v = new byte[(int) size];
      value.get(0, v, 0, v.length);
      core.setxattr(path, name, v, flags);
      return 0;
    });
  }

  @Override
  public int removexattr(String path, String name) {
    return call("removexattr", () -> {
      core.removexattr(path, name);
      return 0;
    });
  }
}
