package org.cairnfs.fs.fuse;

import com.kenai.jffi.MemoryIO;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import org.cairnfs.fs.mount.FsError;
import org.cairnfs.fs.mount.FsException;
import org.cairnfs.fs.mount.FsSpace;
import org.cairnfs.fs.mount.StatInfo;
import org.cairnfs.fs.mount.TimeSpec;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * libfuse's structs and buffers as {@link CairnFuse} reads and fills them: stat and statvfs
 * fields, timespecs, the flag words jnr-fuse maps only as padding, and the C conventions of
 * the answer buffers. What the layouts are lives here, apart from what each callback does.
 */
final class FuseStructs {
  private static final long UTIME_NOW = (1L << 30) - 1;
  private static final long UTIME_OMIT = (1L << 30) - 2;

  private FuseStructs() {}

  /**
   * Sets libfuse2's flag word after bmap: bit 0 nullpath_ok (calls on an unlinked open file
   * come with a null path and use the handle), bit 2 utime_omit_ok (UTIME_NOW/OMIT reach us).
   * The word follows libfuse 2.9's 38 callback pointers; false, and nothing set, when the
   * struct's size says another layout.
   */
  static boolean setFlagWord(Struct fuseOperations) {
    int ptr = jnr.ffi.Runtime.getSystemRuntime().addressSize();
    if (Struct.size(fuseOperations) == 38 * ptr + 8 + 6 * ptr) {
      Struct.getMemory(fuseOperations).putByte(38L * ptr, (byte) 0b101);
      return true;
    }
    return false;
  }

  static void fill(FileStat st, StatInfo s) {
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

  /** What a directory entry tells the filler: the inode number and the mode. */
  static FileStat entryStat(StatInfo s) {
    FileStat st = new FileStat(jnr.ffi.Runtime.getSystemRuntime());
    st.st_ino.set(s.ino());
    st.st_mode.set(s.typeBits() | s.mode());
    return st;
  }

  static void fill(Statvfs st, FsSpace s) {
    // f_frsize left 0 (the kernel takes f_bsize), f_favail and f_flag unset: libfuse passes
    // neither on (glibc copies f_ffree; ST_RDONLY comes from the ro mount option)
    st.f_bsize.set(FsSpace.BLOCK_SIZE);
    st.f_blocks.set(s.blocks());
    st.f_bfree.set(s.freeBlocks());
    st.f_bavail.set(s.freeBlocks());
    st.f_files.set(s.files());
    st.f_ffree.set(s.freeFiles());
    st.f_namemax.set(FsSpace.NAME_MAX);
  }

  /**
   * Sets fuse_file_info's keep_cache bit, so the kernel does not drop the file's cached pages at
   * this open. jnr-fuse maps libfuse2's bit-field word (direct_io, keep_cache, flush, ...) as
   * padding bytes: it is the 32-bit word right before fh, keep_cache its bit 1 (x86-64 and
   * aarch64 allocate bit-fields from the low bit of a little-endian word). Elsewhere the bit is
   * left clear and every open drops the pages, which is slower but never stale.
   */
  static void keepCache(FuseFileInfo fi) {
    if (java.nio.ByteOrder.nativeOrder() != java.nio.ByteOrder.LITTLE_ENDIAN
        || fi.fh.offset() != 24) {
      return;
    }
    Pointer mem = Struct.getMemory(fi);
    long at = fi.fh.offset() - 4;
    mem.putByte(at, (byte) (mem.getByte(at) | 0b10));
  }

  /**
   * libfuse's buffer of this call as a ByteBuffer, so the core reads into it and writes from it
   * (the spool's file I/O included) without a copy through the heap. Only for the call: the
   * memory is libfuse's and gone when the callback returns, and the core keeps neither.
   */
  static ByteBuffer view(Pointer buf, long size) {
    return MemoryIO.getInstance().newDirectByteBuffer(buf.address(), (int) size);
  }

  /**
   * A utimens time: a time, or UTIME_NOW or UTIME_OMIT in the nanoseconds. Seconds beyond what
   * the grid keeps (java.time's range, about a billion years either way) are clamped to it, as
   * Linux clamps a time outside a filesystem's range (ext4's is 1901 to 2446).
   */
  static TimeSpec spec(Timespec t) {
    long ns = t.tv_nsec.longValue();
    if (ns == UTIME_NOW) {
      return TimeSpec.NOW;
    }
    if (ns == UTIME_OMIT) {
      return TimeSpec.OMIT;
    }
    long s = Math.max(Instant.MIN.getEpochSecond(),
        Math.min(Instant.MAX.getEpochSecond(), t.tv_sec.get()));
    return TimeSpec.at(Instant.ofEpochSecond(s, ns));
  }

  /** Puts {@code s} NUL-terminated into a buffer of {@code size} bytes, cut to fit. */
  static void putCString(Pointer buf, long size, String s) {
    byte[] t = s.getBytes(StandardCharsets.UTF_8);
    int n = (int) Math.min(t.length, size - 1);
    buf.put(0, t, 0, n);
    buf.putByte(n, (byte) 0);
  }

  /** Names as listxattr answers them: each followed by a NUL. */
  static byte[] nulTerminated(List<String> names) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (String n : names) {
      out.writeBytes(n.getBytes(StandardCharsets.UTF_8));
      out.write(0);
    }
    return out.toByteArray();
  }

  /**
   * The xattr calls' answer: {@code value}'s length alone when {@code size} is 0 (the caller
   * asks how much room to make), else the value put into the buffer.
   *
   * @throws FsException RANGE when the value does not fit
   */
  static int putSized(Pointer buf, long size, byte[] value) throws FsException {
    if (size == 0) {
      return value.length;
    }
    if (value.length > size) {
      throw new FsException(FsError.RANGE, "buffer too small");
    }
    buf.put(0, value, 0, value.length);
    return value.length;
  }
}
