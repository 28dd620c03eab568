package org.cairnfs.fs.fuse;

import com.kenai.jffi.MemoryIO;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
import org.cairnfs.fs.mount.FsSpace;
import org.cairnfs.fs.mount.MountCore;
import org.cairnfs.fs.mount.StatInfo;
import org.cairnfs.fs.mount.TimeSpec;
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
  private static final long UTIME_NOW = (1L << 30) - 1;
  private static final long UTIME_OMIT = (1L << 30) - 2;

  private final MountCore core;

  CairnFuse(MountCore core) {
    this.core = core;
    // libfuse2 flag word after bmap: bit 0 nullpath_ok (calls on an unlinked open file come
    // with a null path and use the handle), bit 2 utime_omit_ok (UTIME_NOW/OMIT reach us).
    // The word follows libfuse 2.9's 38 callback pointers; checked against the struct size.
    int ptr = jnr.ffi.Runtime.getSystemRuntime().addressSize();
    if (Struct.size(fuseOperations) == 38 * ptr + 8 + 6 * ptr) {
      Struct.getMemory(fuseOperations).putByte(38L * ptr, (byte) 0b101);
    } else {
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

  private static void fill(FileStat st, StatInfo s) {
    st.st_mode.set(s.typeBits() | s.mode());
    st.st_ino.set(s.ino());
    st.st_nlink.set(s.nlink());
    st.st_uid.set(s.uid());
    st.st_gid.set(s.gid());
    st.st_size.set(s.size());
    st.st_blocks.set(s.blocks());
    st.st_rdev.set(s.rdev());
    time(st.st_atim, s.atime());
    time(st.st_mtim, s.mtime());
    time(st.st_ctim, s.ctime());
  }

  private static void time(Timespec t, Instant i) {
    t.tv_sec.set(i.getEpochSecond());
    t.tv_nsec.set(i.getNano());
  }

  @Override
  public int getattr(String path, FileStat stat) {
    return call("getattr", () -> {
      fill(stat, core.getattr(path));
      return 0;
    });
  }

  @Override
  public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
    return call("fgetattr", () -> {
      fill(stat, core.fgetattr(fi.fh.get()));
      return 0;
    });
  }

  @Override
  public int readlink(String path, Pointer buf, @size_t long size) {
    return call("readlink", () -> {
      byte[] t = core.readlink(path).getBytes(StandardCharsets.UTF_8);
      int n = (int) Math.min(t.length, size - 1);
      buf.put(0, t, 0, n);
      buf.putByte(n, (byte) 0);
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
        keepCache(fi);
      }
      return 0;
    });
  }

  /**
   * Sets fuse_file_info's keep_cache bit, so the kernel does not drop the file's cached pages at
   * this open. jnr-fuse maps libfuse2's bit-field word (direct_io, keep_cache, flush, ...) as
   * padding bytes: it is the 32-bit word right before fh, keep_cache its bit 1 (x86-64 and
   * aarch64 allocate bit-fields from the low bit of a little-endian word). Elsewhere the bit is
   * left clear and every open drops the pages, which is slower but never stale.
   */
  private static void keepCache(FuseFileInfo fi) {
    if (java.nio.ByteOrder.nativeOrder() != java.nio.ByteOrder.LITTLE_ENDIAN
        || fi.fh.offset() != 24) {
      return;
    }
    Pointer mem = Struct.getMemory(fi);
    long at = fi.fh.offset() - 4;
    mem.putByte(at, (byte) (mem.getByte(at) | 0b10));
  }

  @Override
  public int read(String path, Pointer buf, @size_t long size, @off_t long offset,
      FuseFileInfo fi) {
    return call("read", () -> {
      ByteBuffer dst = view(buf, size);
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
    return call("write", () -> core.write(fi.fh.get(), view(buf, size), offset));
  }

  /**
   * libfuse's buffer of this call as a ByteBuffer, so the core reads into it and writes from it
   * (the spool's file I/O included) without a copy through the heap. Only for the call: the
   * memory is libfuse's and gone when the callback returns, and the core keeps neither.
   */
  private static ByteBuffer view(Pointer buf, long size) {
    return MemoryIO.getInstance().newDirectByteBuffer(buf.address(), (int) size);
  }

  @Override
  public int statfs(String path, Statvfs st) {
    return call("statfs", () -> {
      FsSpace s = core.statfs();
      // f_frsize left 0 (the kernel takes f_bsize), f_favail and f_flag unset: libfuse passes
      // neither on (glibc copies f_ffree; ST_RDONLY comes from the ro mount option)
      st.f_bsize.set(FsSpace.BLOCK_SIZE);
      st.f_blocks.set(s.blocks());
      st.f_bfree.set(s.freeBlocks());
      st.f_bavail.set(s.freeBlocks());
      st.f_files.set(s.files());
      st.f_ffree.set(s.freeFiles());
      st.f_namemax.set(FsSpace.NAME_MAX);
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
        FileStat st = new FileStat(jnr.ffi.Runtime.getSystemRuntime());
        st.st_ino.set(e.stat().ino());
        st.st_mode.set(e.stat().typeBits() | e.stat().mode());
        filler.apply(buf, e.name(), st, 0);
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
      core.utimens(path, spec(ts[0]), spec(ts[1]));
      return 0;
    });
  }

  private static TimeSpec spec(Timespec t) {
    long ns = t.tv_nsec.longValue();
    if (ns == UTIME_NOW) {
      return TimeSpec.NOW;
    }
    if (ns == UTIME_OMIT) {
      return TimeSpec.OMIT;
    }
    return TimeSpec.at(Instant.ofEpochSecond(t.tv_sec.get(), ns));
  }

  @Override
  public int getxattr(String path, String name, Pointer value, @size_t long size) {
    return call("getxattr", () -> {
      byte[] v = core.getxattr(path, name);
      if (size == 0) {
        return v.length;
      }
      if (v.length > size) {
        throw new FsException(FsError.RANGE, "buffer too small");
      }
      value.put(0, v, 0, v.length);
      return v.length;
    });
  }

  @Override
  public int listxattr(String path, Pointer list, @size_t long size) {
    return call("listxattr", () -> {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      for (String n : core.listxattr(path)) {
        out.writeBytes(n.getBytes(StandardCharsets.UTF_8));
        out.write(0);
      }
      byte[] b = out.toByteArray();
      if (size == 0) {
        return b.length;
      }
      if (b.length > size) {
        throw new FsException(FsError.RANGE, "buffer too small");
      }
      list.put(0, b, 0, b.length);
      return b.length;
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
