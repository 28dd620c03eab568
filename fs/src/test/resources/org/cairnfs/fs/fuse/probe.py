# The system-call side of the FUSE edge tests (Probe.java): reads one Python expression or
# statement a line (newlines sent as \x01), answers "ok VALUE" or "err ERRNO_NAME" (or "exc ..."
# for anything else), so a test sees the exact errno the kernel returned.
import ctypes
import errno
import mmap
import os
import socket
import stat
import struct
import sys

libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
UTIME_NOW = (1 << 30) - 1
UTIME_OMIT = (1 << 30) - 2
for _f in ("getxattr", "listxattr"):
    getattr(libc, _f).restype = ctypes.c_ssize_t
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_long]
libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]


def chk(r):
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r


def renameat2(a, b, flags):
    return chk(libc.renameat2(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(), ctypes.c_uint(flags)))


class TS(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_long), ("nsec", ctypes.c_long)]


def utimens(p, a, m):
    """utimensat with raw (sec, nsec) pairs, so UTIME_NOW and UTIME_OMIT reach the kernel."""
    return chk(libc.utimensat(AT_FDCWD, p.encode(), (TS * 2)(TS(*a), TS(*m)), 0))


def getx(p, name, size):
    """getxattr with a buffer of exactly size bytes: the length (size 0) or the value in hex."""
    buf = ctypes.create_string_buffer(max(size, 1))
    n = chk(libc.getxattr(p.encode(), name.encode(), buf if size else None,
                          ctypes.c_size_t(size)))
    return buf.raw[:n].hex() if size else n


def listx(p, size):
    buf = ctypes.create_string_buffer(max(size, 1))
    n = chk(libc.listxattr(p.encode(), buf if size else None, ctypes.c_size_t(size)))
    return buf.raw[:n].decode().replace("\0", "|") if size else n


def fallocate(fd, mode, off, length):
    return chk(libc.fallocate(fd, mode, off, length))


def dents(p, bufsize=32768, start=None):
    """The raw getdents64 records of a directory: name:ino:type, in order; from lseek(start)."""
    fd = os.open(p, os.O_RDONLY | os.O_DIRECTORY)
    out = []
    try:
        if start is not None:
            os.lseek(fd, start, os.SEEK_SET)
        buf = ctypes.create_string_buffer(bufsize)
        while True:
            n = chk(libc.syscall(217, fd, buf, bufsize))
            if n == 0:
                return out
            at = 0
            while at < n:
                ino, off, reclen, typ = struct.unpack_from("<QqHB", buf.raw, at)
                name = buf.raw[at + 19:at + reclen].split(b"\0")[0].decode()
                out.append((name, ino, typ, off))
                at += reclen
    finally:
        os.close(fd)


def count_dents(fd, bufsize=32768):
    """Entries getdents64 returns on an open directory fd, read to the end."""
    buf = ctypes.create_string_buffer(bufsize)
    total = 0
    while True:
        n = chk(libc.syscall(217, fd, buf, bufsize))
        if n == 0:
            return total
        at = 0
        while at < n:
            total += 1
            at += struct.unpack_from("<H", buf.raw, at + 16)[0]


def cached_pages(p):
    """Opens p and counts its pages in the page cache right after the open, reading nothing."""
    fd = os.open(p, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        addr = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        if addr is None or addr == ctypes.c_void_p(-1).value:
            raise OSError(ctypes.get_errno(), "mmap")
        pages = (size + 4095) // 4096
        vec = ctypes.create_string_buffer(pages)
        try:
            chk(libc.mincore(addr, size, vec))
        finally:
            libc.munmap(addr, size)
        return sum(b & 1 for b in vec.raw)
    finally:
        os.close(fd)


def readfile(p, off=0, n=-1):
    with open(p, "rb") as f:
        f.seek(off)
        return f.read(n)


G = dict(globals())
for line in sys.stdin:
    code = line.rstrip("\n").replace("\x01", "\n")
    try:
        try:
            r = eval(code, G)
        except SyntaxError:
            exec(code, G)
            r = None
        if isinstance(r, (bytes, bytearray)):
            r = r.hex()
        out = "ok " + str(r)
    except OSError as e:
        out = "err " + errno.errorcode.get(e.errno, str(e.errno))
    except BaseException as e:  # noqa: B902 - the test shows what went wrong
        out = "exc " + repr(e)
    sys.stdout.write(out.replace("\n", "\\n") + "\n")
    sys.stdout.flush()
