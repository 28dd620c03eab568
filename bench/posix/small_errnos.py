#!/usr/bin/env python3
# small_errnos.py DIR: the small differences from ext4 found by hand (run on ext4 and on the mount, compare)
import os, sys, errno, mmap, time
D = sys.argv[1]
def t(n, f):
    try: v = f(); print(n, "ok", "" if v is None else v)
    except OSError as e: print(n, errno.errorcode[e.errno])
p = D + "/se"; open(p, "wb").write(b"x" * 8192)
t("setxattr(user.)", lambda: os.setxattr(p, "user.", b"1"))            # ext4 EINVAL, mount ERANGE
t("getxattr(user.)", lambda: os.getxattr(p, "user."))                  # ext4 EINVAL, mount ENODATA
t("removexattr(user.)", lambda: os.removexattr(p, "user."))            # ext4 EINVAL, mount ERANGE
t("create name with U+FFFD", lambda: open(D + "/a\ufffdb", "w").close())  # ext4 ok, mount EINVAL
c0 = os.stat(p).st_ctime_ns; time.sleep(0.05); os.chown(p, -1, -1)
print("chown(-1,-1) changes ctime:", os.stat(p).st_ctime_ns != c0)     # ext4 True, mount False
fd = os.open(p, os.O_RDWR); m = mmap.mmap(fd, 8192); m[0:1] = b"M"
os.utime(fd, ns=(1000000000, 2000000000)); m.close(); os.close(fd)
print("mtime after mmap write, utime, munmap:", os.stat(p).st_mtime_ns)  # ext4 2000000000, mount: now
os.utime(D, (1000, time.time())); a0 = os.stat(D).st_atime_ns; os.listdir(D)
print("readdir updates dir atime:", os.stat(D).st_atime_ns != a0)       # ext4 True (relatime), mount False
