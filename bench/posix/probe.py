#!/usr/bin/env python3
"""pjdfstest-style POSIX probe. Usage: probe.py DIR [section ...]
Prints one line per check: name | call | outcome.  Env PROBE_DELAY=secs sleeps before
each post-operation stat (to expose attribute-cache effects)."""
import ctypes, ctypes.util, errno, mmap, os, stat, sys, time

D = os.path.abspath(sys.argv[1])
ONLY = set(sys.argv[2:])
DELAY = float(os.environ.get("PROBE_DELAY", "0"))
libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
NOBODY = 65534
U = 1000
G = 1000
os.umask(0o022)


def en(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def run(fn):
    try:
        v = fn()
        return "ok" if v is None else "ok " + str(v)
    except OSError as e:
        return en(e)


def out(name, call, res):
    print(f"{name} | {call} | {res}", flush=True)


def chk(name, call, fn):
    out(name, call, run(fn))


def as_user(uid, gid, fn, groups=None):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            os.setgroups(groups if groups is not None else [gid])
            os.setresgid(gid, gid, gid)
            os.setresuid(uid, uid, uid)
            os.umask(0o022)
            res = run(fn)
        except BaseException as e:  # noqa
            res = "CHILD-ERR " + repr(e)
        os.write(w, res.encode())
        os._exit(0)
    os.close(w)
    data = b""
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        data += b
    os.close(r)
    os.waitpid(pid, 0)
    return data.decode()


def uchk(name, call, uid, gid, fn, groups=None):
    out(name, call + f" [as {uid}:{gid}]", as_user(uid, gid, fn, groups))


def tick():
    time.sleep(0.05)


def settle():
    if DELAY:
        time.sleep(DELAY)


def kind(m):
    for f, n in ((stat.S_ISREG, "reg"), (stat.S_ISDIR, "dir"), (stat.S_ISLNK, "lnk"),
                 (stat.S_ISFIFO, "fifo"), (stat.S_ISCHR, "chr"), (stat.S_ISBLK, "blk"), (stat.S_ISSOCK, "sock")):
        if f(m):
            return n
    return "?"


def fmt(st):
    k = kind(st.st_mode)
    s = f"{k} mode={oct(stat.S_IMODE(st.st_mode))} uid={st.st_uid} gid={st.st_gid} nlink={st.st_nlink}"
    if k != "dir":
        s += f" size={st.st_size}"
    return s


def sd(p, follow=True):
    return fmt(os.stat(p, follow_symlinks=follow))


def ts(p, follow=True):
    st = os.stat(p, follow_symlinks=follow) if not isinstance(p, int) else os.fstat(p)
    return (st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns)


def tch(a, b, which="amc"):
    r = []
    for i, n in enumerate("amc"):
        if n in which:
            r.append(f"{n}time={'chg' if a[i] != b[i] else 'same'}")
    return " ".join(r)


def tdiff(p, op, which="mc", follow=True):
    """Run op and report which of p's times changed."""
    tick()
    a = ts(p, follow)
    tick()
    r = run(op)
    settle()
    try:
        b = ts(p, follow)
    except OSError as e:
        return r + " (stat after: " + en(e) + ")"
    return r + " " + tch(a, b, which)


def mk(p, data=b"", mode=0o644):
    fd = os.open(p, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, mode)
    os.write(fd, data)
    os.close(fd)
    os.chmod(p, mode)


def rd(p):
    with open(p, "rb") as f:
        return f.read()


def openclose(p, flags, mode=0o644):
    fd = os.open(p, flags, mode)
    os.close(fd)


def sub(name):
    p = os.path.join(D, name)
    os.mkdir(p)
    os.chmod(p, 0o755)
    return p


SECTIONS = []


def section(f):
    SECTIONS.append(f)
    return f


# ---------------------------------------------------------------- open
@section
def s_open():
    d = sub("open")
    f = d + "/f"
    chk("open.creat_excl_new", "open(f,O_CREAT|O_EXCL|O_WRONLY,0644)",
        lambda: (openclose(f, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644), sd(f))[1])
    chk("open.creat_excl_exists", "open(f,O_CREAT|O_EXCL)", lambda: openclose(f, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    os.symlink("nowhere", d + "/dangle")
    chk("open.creat_excl_dangling_symlink", "open(dangle,O_CREAT|O_EXCL)",
        lambda: openclose(d + "/dangle", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    chk("open.creat_via_dangling_symlink", "open(dangle,O_CREAT) creates target",
        lambda: (openclose(d + "/dangle", os.O_CREAT | os.O_WRONLY), sd(d + "/nowhere"))[1])
    chk("open.creat_parent_times", "open(new,O_CREAT) parent times",
        lambda: tdiff(d, lambda: openclose(d + "/g", os.O_CREAT | os.O_WRONLY)))
    g = d + "/g"
    chk("open.new_file_times_equal", "stat(new) a==m==c",
        lambda: len(set(ts(g))) == 1)
    chk("open.creat_existing_times", "open(existing,O_CREAT|O_WRONLY) times",
        lambda: tdiff(g, lambda: openclose(g, os.O_CREAT | os.O_WRONLY), "amc"))
    mk(g, b"hello")
    chk("open.trunc_nonempty", "open(f size5,O_WRONLY|O_TRUNC)",
        lambda: tdiff(g, lambda: openclose(g, os.O_WRONLY | os.O_TRUNC)) + " size=%d" % os.stat(g).st_size)
    chk("open.trunc_empty", "open(f size0,O_WRONLY|O_TRUNC)",
        lambda: tdiff(g, lambda: openclose(g, os.O_WRONLY | os.O_TRUNC)))
    mk(g, b"hello")
    chk("open.rdonly_trunc", "open(f size5,O_RDONLY|O_TRUNC)",
        lambda: tdiff(g, lambda: openclose(g, os.O_RDONLY | os.O_TRUNC)) + " size=%d" % os.stat(g).st_size)
    chk("open.noaccess_noop_times", "open(f,O_RDONLY)+close times",
        lambda: tdiff(g, lambda: openclose(g, os.O_RDONLY), "mc"))
    mk(g, b"abc")

    def app():
        fd = os.open(g, os.O_WRONLY | os.O_APPEND)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, b"XY")
        os.pwrite(fd, b"Z", 0) if hasattr(os, "pwrite") else None
        pos = os.lseek(fd, 0, os.SEEK_CUR)
        os.close(fd)
        return f"{rd(g)!r} pos={pos}"
    chk("open.append", "O_APPEND write after lseek(0), pwrite(0)", app)

    def app2():
        mk(d + "/a2", b"")
        f1 = os.open(d + "/a2", os.O_WRONLY | os.O_APPEND)
        f2 = os.open(d + "/a2", os.O_WRONLY | os.O_APPEND)
        for i in range(5):
            os.write(f1, b"1")
            os.write(f2, b"22")
        os.close(f1)
        os.close(f2)
        return repr(rd(d + "/a2"))
    chk("open.append_two_fds", "two O_APPEND fds interleaved", app2)
    chk("open.odirectory_file", "open(file,O_DIRECTORY)", lambda: openclose(g, os.O_RDONLY | os.O_DIRECTORY))
    os.symlink("g", d + "/lg")
    chk("open.onofollow_symlink", "open(symlink,O_NOFOLLOW)", lambda: openclose(d + "/lg", os.O_RDONLY | os.O_NOFOLLOW))
    chk("open.opath_nofollow", "open(symlink,O_PATH|O_NOFOLLOW)", lambda: openclose(d + "/lg", os.O_PATH | os.O_NOFOLLOW))
    sdir = d + "/sd"
    os.mkdir(sdir)
    chk("open.dir_wronly", "open(dir,O_WRONLY)", lambda: openclose(sdir, os.O_WRONLY))
    chk("open.dir_rdwr", "open(dir,O_RDWR)", lambda: openclose(sdir, os.O_RDWR))
    chk("open.dir_creat", "open(dir,O_CREAT|O_RDONLY)", lambda: openclose(sdir, os.O_CREAT | os.O_RDONLY))
    chk("open.dir_creat_excl", "open(dir,O_CREAT|O_EXCL)", lambda: openclose(sdir, os.O_CREAT | os.O_EXCL | os.O_RDONLY))

    def readdirfd():
        fd = os.open(sdir, os.O_RDONLY)
        try:
            os.read(fd, 10)
        finally:
            os.close(fd)
    chk("open.read_dir_fd", "read(dirfd)", readdirfd)
    mk(d + "/p600", b"secret", 0o600)
    mk(d + "/p644", b"public", 0o644)
    uchk("open.nonowner_read_0600", "open(0600 root file,O_RDONLY)", NOBODY, NOBODY, lambda: openclose(d + "/p600", os.O_RDONLY))
    uchk("open.nonowner_read_0644", "open(0644 root file,O_RDONLY)", NOBODY, NOBODY, lambda: openclose(d + "/p644", os.O_RDONLY))
    uchk("open.nonowner_write_0644", "open(0644 root file,O_WRONLY)", NOBODY, NOBODY, lambda: openclose(d + "/p644", os.O_WRONLY))
    uchk("open.nonowner_trunc_0644", "open(0644 root file,O_RDONLY|O_TRUNC)", NOBODY, NOBODY, lambda: openclose(d + "/p644", os.O_RDONLY | os.O_TRUNC))
    uchk("open.nonowner_creat_in_0755", "open(new in root 0755 dir,O_CREAT)", NOBODY, NOBODY, lambda: openclose(d + "/byn", os.O_CREAT | os.O_WRONLY))
    os.mkdir(d + "/nox", 0o700)
    mk(d + "/nox/in", b"x", 0o644)
    uchk("open.nonowner_no_search", "open(0700dir/file)", NOBODY, NOBODY, lambda: openclose(d + "/nox/in", os.O_RDONLY))
    n255 = "n" * 255
    chk("open.name255", "open(255-byte name,O_CREAT)", lambda: (openclose(d + "/" + n255, os.O_CREAT | os.O_WRONLY), sd(d + "/" + n255))[1])
    chk("open.name256", "open(256-byte name,O_CREAT)", lambda: openclose(d + "/" + "n" * 256, os.O_CREAT | os.O_WRONLY))
    chk("open.name256_nocreat", "open(256-byte name,O_RDONLY)", lambda: openclose(d + "/" + "n" * 256, os.O_RDONLY))
    u85 = "\u20ac" * 85  # 255 bytes
    chk("open.name255_utf8", "open(85x'€'=255 bytes,O_CREAT)", lambda: (openclose(d + "/" + u85, os.O_CREAT | os.O_WRONLY), u85 in os.listdir(d))[1])
    chk("open.name258_utf8", "open(86x'€'=258 bytes,O_CREAT)", lambda: openclose(d + "/" + "\u20ac" * 86, os.O_CREAT | os.O_WRONLY))
    chk("open.name200_chars_2byte", "open(128x'é'=256 bytes,O_CREAT)", lambda: openclose(d + "/" + "\u00e9" * 128, os.O_CREAT | os.O_WRONLY))
    chk("open.enoent_path", "open(d/missing/x)", lambda: openclose(d + "/missing/x", os.O_RDONLY))
    chk("open.enoent_creat_path", "open(d/missing/x,O_CREAT)", lambda: openclose(d + "/missing/x", os.O_CREAT | os.O_WRONLY))
    chk("open.enotdir_path", "open(file/x)", lambda: openclose(g + "/x", os.O_RDONLY))
    chk("open.enotdir_creat_path", "open(file/x,O_CREAT)", lambda: openclose(g + "/x", os.O_CREAT | os.O_WRONLY))
    chk("open.trailing_slash_file", "open(file/,O_RDONLY)", lambda: openclose(g + "/", os.O_RDONLY))
    chk("open.creat_trailing_slash", "open(new/,O_CREAT)", lambda: openclose(d + "/ts/", os.O_CREAT | os.O_WRONLY))

    def mode0():
        fd = os.open(d + "/m0", os.O_CREAT | os.O_RDWR, 0)
        n = os.write(fd, b"abc")
        os.lseek(fd, 0, 0)
        r = os.read(fd, 10)
        os.close(fd)
        return f"wrote={n} read={r!r} {sd(d + '/m0')}"
    chk("open.creat_mode0_fd_writable", "open(new,O_CREAT|O_RDWR,0) write+read", mode0)
    chk("open.creat_mode_07777", "open(new,O_CREAT,07777) umask022",
        lambda: (openclose(d + "/m7", os.O_CREAT | os.O_WRONLY, 0o7777), sd(d + "/m7"))[1])

    def um():
        old = os.umask(0o027)
        try:
            openclose(d + "/um", os.O_CREAT | os.O_WRONLY, 0o777)
            os.mkdir(d + "/umd", 0o777)
            return sd(d + "/um") + " / " + sd(d + "/umd")
        finally:
            os.umask(old)
    chk("open.creat_umask027", "umask(027); creat(0777); mkdir(0777)", um)
    mk(d + "/wo", b"data", 0o644)

    def rd_wronly():
        fd = os.open(d + "/wo", os.O_WRONLY)
        try:
            os.read(fd, 1)
        finally:
            os.close(fd)
    chk("open.read_on_wronly", "read(O_WRONLY fd)", rd_wronly)
    chk("open.onofollow_regular", "open(file,O_NOFOLLOW)", lambda: openclose(g, os.O_RDONLY | os.O_NOFOLLOW))
    chk("open.odirectory_symlink_to_dir", "open(symlink->dir,O_DIRECTORY)",
        lambda: (os.symlink("sd", d + "/lsd"), openclose(d + "/lsd", os.O_RDONLY | os.O_DIRECTORY))[1])
    chk("open.otmpfile", "open(dir,O_TMPFILE|O_RDWR)", lambda: openclose(d, os.O_TMPFILE | os.O_RDWR, 0o600))


# ---------------------------------------------------------------- ownership on create
@section
def s_owner():
    d = sub("owner")
    os.chmod(d, 0o1777)
    uchk("owner.creat_nonroot", "creat in 1777 dir", U, G,
         lambda: (openclose(d + "/u", os.O_CREAT | os.O_WRONLY, 0o644), sd(d + "/u"))[1])
    uchk("owner.mkdir_nonroot", "mkdir in 1777 dir", U, G,
         lambda: (os.mkdir(d + "/ud", 0o755), sd(d + "/ud"))[1])
    uchk("owner.symlink_nonroot", "symlink in 1777 dir", U, G,
         lambda: (os.symlink("x", d + "/ul"), sd(d + "/ul", False))[1])
    uchk("owner.creat_nonroot_supp", "creat with groups [1000,2000]", U, G,
         lambda: (openclose(d + "/u2", os.O_CREAT | os.O_WRONLY, 0o644), sd(d + "/u2"))[1], [G, 2000])
    sg = d + "/sgid"
    os.mkdir(sg)
    os.chown(sg, 0, 1234)
    os.chmod(sg, 0o2777)
    chk("owner.sgid_dir_stat", "mkdir; chown 0:1234; chmod 02777", lambda: sd(sg))
    chk("owner.sgid_inherit_file_root", "creat in setgid dir (root)",
        lambda: (openclose(sg + "/rf", os.O_CREAT | os.O_WRONLY, 0o644), sd(sg + "/rf"))[1])
    chk("owner.sgid_inherit_dir_root", "mkdir in setgid dir (root)",
        lambda: (os.mkdir(sg + "/rd", 0o755), sd(sg + "/rd"))[1])
    uchk("owner.sgid_inherit_file_nonroot", "creat(02755) in setgid dir gid1234 (not member)", U, G,
         lambda: (openclose(sg + "/uf", os.O_CREAT | os.O_WRONLY, 0o2755), sd(sg + "/uf"))[1])
    uchk("owner.sgid_inherit_dir_nonroot", "mkdir(0755) in setgid dir (not member)", U, G,
         lambda: (os.mkdir(sg + "/ud", 0o755), sd(sg + "/ud"))[1])
    uchk("owner.sgid_inherit_symlink_nonroot", "symlink in setgid dir", U, G,
         lambda: (os.symlink("t", sg + "/ul"), sd(sg + "/ul", False))[1])
    uchk("owner.creat_sgid_bit_own_group", "creat(02755) in 1777 dir as 1000:1000", U, G,
         lambda: (openclose(d + "/sgb", os.O_CREAT | os.O_WRONLY, 0o2755), sd(d + "/sgb"))[1])
    chk("owner.mkdir_02755_plain_parent", "mkdir(02755) in non-setgid dir",
        lambda: (os.mkdir(d + "/m2", 0o2755), sd(d + "/m2"))[1])
    chk("owner.mkdir_01777", "mkdir(01777)", lambda: (os.mkdir(d + "/m1", 0o1777), sd(d + "/m1"))[1])


# ---------------------------------------------------------------- mkdir / rmdir
@section
def s_mkdir():
    d = sub("mkdir")
    chk("mkdir.new", "mkdir(x,0755)", lambda: (os.mkdir(d + "/x", 0o755), sd(d + "/x"))[1])
    chk("mkdir.parent_times", "mkdir(y) parent times", lambda: tdiff(d, lambda: os.mkdir(d + "/y")))
    chk("mkdir.parent_nlink", "parent nlink after 2 mkdirs", lambda: os.stat(d).st_nlink)
    chk("mkdir.new_nlink", "new dir nlink", lambda: os.stat(d + "/y").st_nlink)
    mk(d + "/f")
    os.symlink("f", d + "/l")
    os.symlink("nope", d + "/dl")
    chk("mkdir.eexist_dir", "mkdir(existing dir)", lambda: os.mkdir(d + "/x"))
    chk("mkdir.eexist_file", "mkdir(existing file)", lambda: os.mkdir(d + "/f"))
    chk("mkdir.eexist_symlink", "mkdir(existing symlink)", lambda: os.mkdir(d + "/l"))
    chk("mkdir.eexist_dangling", "mkdir(dangling symlink)", lambda: os.mkdir(d + "/dl"))
    chk("mkdir.enoent", "mkdir(missing/x)", lambda: os.mkdir(d + "/missing/x"))
    chk("mkdir.enotdir", "mkdir(file/x)", lambda: os.mkdir(d + "/f/x"))
    chk("mkdir.name256", "mkdir(256-byte name)", lambda: os.mkdir(d + "/" + "m" * 256))
    chk("mkdir.name255", "mkdir(255-byte name)", lambda: os.mkdir(d + "/" + "m" * 255))
    uchk("mkdir.eacces", "mkdir in root 0755 dir", NOBODY, NOBODY, lambda: os.mkdir(d + "/nob"))
    chk("mkdir.trailing_slash", "mkdir(z/)", lambda: (os.mkdir(d + "/z/"), sd(d + "/z"))[1])
    # rmdir
    os.mkdir(d + "/ne")
    mk(d + "/ne/f")
    chk("rmdir.enotempty", "rmdir(nonempty)", lambda: os.rmdir(d + "/ne"))
    chk("rmdir.dot", "rmdir(x/.)", lambda: os.rmdir(d + "/x/."))
    chk("rmdir.dotdot", "rmdir(x/..)", lambda: os.rmdir(d + "/x/.."))
    chk("rmdir.file", "rmdir(file)", lambda: os.rmdir(d + "/f"))
    chk("rmdir.symlink_to_dir", "rmdir(symlink->dir)", lambda: (os.symlink("x", d + "/lx"), os.rmdir(d + "/lx"))[1])
    chk("rmdir.enoent", "rmdir(missing)", lambda: os.rmdir(d + "/missing"))
    chk("rmdir.parent_times", "rmdir(y) parent times", lambda: tdiff(d, lambda: os.rmdir(d + "/y")))
    chk("rmdir.parent_nlink", "parent nlink after rmdir", lambda: os.stat(d).st_nlink)
    chk("rmdir.gone", "stat(removed)", lambda: os.stat(d + "/y"))

    def rm_cwd():
        os.mkdir(d + "/cw")
        fd = os.open(d + "/cw", os.O_RDONLY)
        os.rmdir(d + "/cw")
        r = [str(os.fstat(fd).st_nlink), repr(os.listdir(fd))]
        try:
            os.open("newf", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=fd)
            r.append("creat-in-removed=ok")
        except OSError as e:
            r.append("creat-in-removed=" + en(e))
        os.close(fd)
        return " ".join(r)
    chk("rmdir.open_dirfd", "rmdir(dir with open fd); fstat nlink, listdir, openat(O_CREAT)", rm_cwd)

    def rm_open_child():
        os.mkdir(d + "/oc")
        mk(d + "/oc/f", b"x")
        fd = os.open(d + "/oc/f", os.O_RDONLY)
        os.unlink(d + "/oc/f")
        try:
            os.rmdir(d + "/oc")
            r = "rmdir=ok"
        except OSError as e:
            r = "rmdir=" + en(e) + " listing=" + repr(os.listdir(d + "/oc"))
        os.close(fd)
        return r
    chk("rmdir.after_unlinking_open_child", "open(d/f); unlink(d/f); rmdir(d)", rm_open_child)


# ---------------------------------------------------------------- unlink
@section
def s_unlink():
    d = sub("unlink")
    os.mkdir(d + "/sd")
    chk("unlink.dir", "unlink(dir)", lambda: os.unlink(d + "/sd"))
    chk("unlink.enoent", "unlink(missing)", lambda: os.unlink(d + "/missing"))
    chk("unlink.enotdir", "unlink(file/x)", lambda: (mk(d + "/f0"), os.unlink(d + "/f0/x"))[1])
    mk(d + "/f", b"data")
    chk("unlink.parent_times", "unlink(f) parent times", lambda: tdiff(d, lambda: os.unlink(d + "/f")))
    mk(d + "/t", b"target")
    os.symlink("t", d + "/l")
    chk("unlink.symlink", "unlink(symlink) target stays", lambda: (os.unlink(d + "/l"), sd(d + "/t"))[1])

    def open_unlinked():
        mk(d + "/o", b"still here")
        fd = os.open(d + "/o", os.O_RDWR)
        os.unlink(d + "/o")
        r = [os.pread(fd, 100, 0).decode()]
        st = os.fstat(fd)
        r.append(f"fstat nlink={st.st_nlink} size={st.st_size}")
        os.pwrite(fd, b"MORE", 10)
        r.append(repr(os.pread(fd, 100, 0)))
        for nm, f in (("fchmod", lambda: os.fchmod(fd, 0o600)), ("fchown", lambda: os.fchown(fd, 5, 6)),
                      ("ftruncate", lambda: os.ftruncate(fd, 4)), ("futimens", lambda: os.utime(fd, ns=(10**9, 2 * 10**9)))):
            r.append(nm + "=" + run(f))
        st = os.fstat(fd)
        r.append(f"after: mode={oct(stat.S_IMODE(st.st_mode))} uid={st.st_uid} gid={st.st_gid} size={st.st_size} mtime={st.st_mtime_ns}")
        r.append("listing=" + repr(sorted(os.listdir(d))))
        r.append("stat-name=" + run(lambda: os.stat(d + "/o")))
        os.close(fd)
        r.append("listing-after-close=" + repr(sorted(os.listdir(d))))
        return " ; ".join(r)
    chk("unlink.open_file", "open(o,O_RDWR); unlink(o); pread; fstat; pwrite; f*; listdir", open_unlinked)

    def recreate():
        mk(d + "/r", b"old")
        fd = os.open(d + "/r", os.O_RDONLY)
        os.unlink(d + "/r")
        mk(d + "/r", b"new!")
        a = os.pread(fd, 10, 0)
        os.close(fd)
        return f"oldfd={a!r} name={rd(d + '/r')!r}"
    chk("unlink.recreate_same_name", "open(r); unlink(r); create r; read old fd", recreate)
    os.chmod(d, 0o755)
    mk(d + "/rootf")
    uchk("unlink.eacces", "unlink(file in root 0755 dir)", NOBODY, NOBODY, lambda: os.unlink(d + "/rootf"))


# ---------------------------------------------------------------- rename
@section
def s_rename():
    d = sub("rename")
    mk(d + "/a", b"AAA")
    mk(d + "/b", b"BB")
    chk("rename.file_over_file", "rename(a,b)", lambda: (os.rename(d + "/a", d + "/b"), rd(d + "/b"), os.path.lexists(d + "/a"))[1:])
    chk("rename.file_ctime", "rename(b,c) ctime of renamed",
        lambda: (lambda a: (os.rename(d + "/b", d + "/c"), settle(), tch(a, ts(d + "/c"), "amc"))[2])((tick(), ts(d + "/b"), tick())[1]))
    chk("rename.parent_times_same_dir", "rename(c,c2) dir times", lambda: tdiff(d, lambda: os.rename(d + "/c", d + "/c2")))
    os.mkdir(d + "/d1")
    os.mkdir(d + "/d2")
    mk(d + "/d1/m", b"m")

    def cross():
        tick()
        a1, a2 = ts(d + "/d1"), ts(d + "/d2")
        tick()
        os.rename(d + "/d1/m", d + "/d2/m")
        settle()
        return "src " + tch(a1, ts(d + "/d1"), "mc") + " dst " + tch(a2, ts(d + "/d2"), "mc")
    chk("rename.parent_times_cross_dir", "rename(d1/m,d2/m) dir times", cross)
    chk("rename.same_name", "rename(c2,c2)", lambda: tdiff(d + "/c2", lambda: os.rename(d + "/c2", d + "/c2"), "mc") + " " + sd(d + "/c2"))
    os.mkdir(d + "/e1")
    os.mkdir(d + "/e2")
    chk("rename.dir_over_empty_dir", "rename(e1,e2)", lambda: (os.rename(d + "/e1", d + "/e2"), os.path.exists(d + "/e1"), os.stat(d).st_nlink)[1:])
    os.mkdir(d + "/n1")
    os.mkdir(d + "/n2")
    mk(d + "/n2/x")
    chk("rename.dir_over_nonempty", "rename(n1,n2 nonempty)", lambda: os.rename(d + "/n1", d + "/n2"))
    mk(d + "/ff")
    chk("rename.file_over_dir", "rename(file,emptydir)", lambda: os.rename(d + "/ff", d + "/n1"))
    chk("rename.dir_over_file", "rename(dir,file)", lambda: os.rename(d + "/n1", d + "/ff"))
    os.mkdir(d + "/n1/s")
    chk("rename.into_own_subdir", "rename(n1,n1/s/x)", lambda: os.rename(d + "/n1", d + "/n1/s/x"))
    chk("rename.into_self", "rename(n1,n1/x)", lambda: os.rename(d + "/n1", d + "/n1/x"))
    chk("rename.enoent", "rename(missing,x)", lambda: os.rename(d + "/missing", d + "/x"))
    chk("rename.enoent_dst_parent", "rename(ff,missing/x)", lambda: os.rename(d + "/ff", d + "/missing/x"))
    chk("rename.enotdir_dst_parent", "rename(ff,c2/x)", lambda: os.rename(d + "/ff", d + "/c2/x"))
    chk("rename.name256", "rename(ff,256-byte)", lambda: os.rename(d + "/ff", d + "/" + "r" * 256))
    chk("rename.dot", "rename(n1/.,x)", lambda: os.rename(d + "/n1/.", d + "/x"))
    chk("rename.to_dot", "rename(ff,n1/.)", lambda: os.rename(d + "/ff", d + "/n1/."))

    def dirmove():
        os.mkdir(d + "/p1")
        os.mkdir(d + "/p2")
        os.mkdir(d + "/p1/c")
        n1a, n2a = os.stat(d + "/p1").st_nlink, os.stat(d + "/p2").st_nlink
        tick()
        ca = ts(d + "/p1/c")
        tick()
        os.rename(d + "/p1/c", d + "/p2/c")
        settle()
        n1b, n2b = os.stat(d + "/p1").st_nlink, os.stat(d + "/p2").st_nlink
        dd = os.stat(d + "/p2/c/..").st_ino == os.stat(d + "/p2").st_ino
        return f"p1 nlink {n1a}->{n1b} p2 nlink {n2a}->{n2b} c/.. is p2={dd} c {tch(ca, ts(d + '/p2/c'), 'amc')}"
    chk("rename.dir_cross_parent", "rename(p1/c,p2/c) nlinks, .., ctime", dirmove)
    os.symlink("target-x", d + "/sl")
    chk("rename.symlink", "rename(symlink)", lambda: (os.rename(d + "/sl", d + "/sl2"), sd(d + "/sl2", False), os.readlink(d + "/sl2"))[1:])

    def over_open():
        mk(d + "/oa", b"new content")
        mk(d + "/ob", b"old content")
        fd = os.open(d + "/ob", os.O_RDONLY)
        os.rename(d + "/oa", d + "/ob")
        r = f"oldfd={os.pread(fd, 50, 0)!r} fstat_nlink={os.fstat(fd).st_nlink} name={rd(d + '/ob')!r}"
        r += " hidden=" + repr([n for n in os.listdir(d) if n.startswith(".")])
        os.close(fd)
        return r
    chk("rename.over_open_file", "open(ob); rename(oa,ob); read old fd", over_open)

    def open_renamed():
        mk(d + "/or", b"x")
        fd = os.open(d + "/or", os.O_RDWR)
        os.rename(d + "/or", d + "/or2")
        os.write(fd, b"yz")
        os.fchmod(fd, 0o600)
        os.close(fd)
        return f"{rd(d + '/or2')!r} {sd(d + '/or2')} old={os.path.lexists(d + '/or')}"
    chk("rename.open_file_then_write", "open(or); rename(or,or2); write; fchmod", open_renamed)

    def stale():
        mk(d + "/s1", b"1")
        os.stat(d + "/s1")
        os.rename(d + "/s1", d + "/s2")
        return f"old={run(lambda: os.stat(d + '/s1'))} new={run(lambda: sd(d + '/s2'))}"
    chk("rename.stat_old_name", "stat(s1); rename(s1,s2); stat(s1),stat(s2)", stale)

    def dotfuse():
        mk(d + "/fh", b"x")
        os.rename(d + "/fh", d + "/.fuse_hidden000001")
        return f"{sorted(n for n in os.listdir(d) if 'fuse' in n)} {run(lambda: sd(d + '/.fuse_hidden000001'))}"
    chk("rename.to_fuse_hidden_name", "rename(fh,.fuse_hidden000001)", dotfuse)
    os.mkdir(d + "/nw", 0o755)
    mk(d + "/nw/f")
    uchk("rename.eacces", "rename in root 0755 dir", NOBODY, NOBODY, lambda: os.rename(d + "/nw/f", d + "/nw/g"))


# ---------------------------------------------------------------- symlink
@section
def s_symlink():
    d = sub("symlink")
    chk("symlink.create", "symlink('some/target',l)", lambda: (os.symlink("some/target", d + "/l"), sd(d + "/l", False), os.readlink(d + "/l"))[1:])
    chk("symlink.dangling_stat", "stat(dangling)", lambda: os.stat(d + "/l"))
    chk("symlink.dangling_lstat", "lstat(dangling)", lambda: sd(d + "/l", False))
    chk("symlink.eexist", "symlink(x,existing)", lambda: os.symlink("x", d + "/l"))
    chk("symlink.parent_times", "symlink parent times", lambda: tdiff(d, lambda: os.symlink("x", d + "/l2")))
    os.symlink("loop2", d + "/loop1")
    os.symlink("loop1", d + "/loop2")
    chk("symlink.eloop", "stat(loop1)", lambda: os.stat(d + "/loop1"))
    chk("symlink.eloop_open", "open(loop1,O_CREAT)", lambda: openclose(d + "/loop1", os.O_CREAT | os.O_WRONLY))
    for i in range(45):
        os.symlink(f"c{i + 1}", d + f"/c{i}")
    mk(d + "/c45", b"end")
    chk("symlink.chain45", "open(c0) via 45 links", lambda: openclose(d + "/c0", os.O_RDONLY))
    chk("symlink.chain40", "open(c5) via 40 links", lambda: openclose(d + "/c5", os.O_RDONLY))
    chk("symlink.chain39", "open(c6) via 39 links", lambda: openclose(d + "/c6", os.O_RDONLY))
    mk(d + "/f")
    chk("symlink.readlink_file", "readlink(file)", lambda: os.readlink(d + "/f"))
    chk("symlink.target_1023", "symlink(1023-byte target)", lambda: (os.symlink("t" * 1023, d + "/t1"), os.lstat(d + "/t1").st_size, len(os.readlink(d + "/t1")))[1:])
    chk("symlink.target_4095", "symlink(4095-byte target)", lambda: (os.symlink("t" * 4095, d + "/t4"), os.lstat(d + "/t4").st_size, len(os.readlink(d + "/t4")))[1:])
    chk("symlink.target_4096", "symlink(4096-byte target)", lambda: os.symlink("t" * 4096, d + "/t5"))
    chk("symlink.empty_target", "symlink('',l)", lambda: os.symlink("", d + "/empty"))
    chk("symlink.utf8_target", "symlink('é/ü',u)", lambda: (os.symlink("\u00e9/\u00fc", d + "/u"), os.lstat(d + "/u").st_size, os.readlink(d + "/u"))[1:])
    chk("symlink.bin_target", "symlink(b'\\xff\\xfe',b)", lambda: (os.symlink(b"\xff\xfe", os.fsencode(d + "/bt")), os.lstat(d + "/bt").st_size, os.readlink(os.fsencode(d + "/bt")))[1:])
    os.mkdir(d + "/realdir")
    os.symlink("realdir", d + "/ld")
    chk("symlink.through_dir", "creat(ld/x) via symlink->dir", lambda: (openclose(d + "/ld/x", os.O_CREAT | os.O_WRONLY), os.listdir(d + "/realdir"))[1])
    chk("symlink.lchown", "lchown(l,7,8) target unaffected", lambda: (mk(d + "/tg"), os.symlink("tg", d + "/ltg"), os.chown(d + "/ltg", 7, 8, follow_symlinks=False), sd(d + "/ltg", False), sd(d + "/tg"))[3:])
    chk("symlink.chown_follows", "chown(ltg,9,9)", lambda: (os.chown(d + "/ltg", 9, 9), sd(d + "/ltg", False), sd(d + "/tg"))[1:])
    chk("symlink.chmod_follows", "chmod(ltg,0600)", lambda: (os.chmod(d + "/ltg", 0o600), sd(d + "/ltg", False), sd(d + "/tg"))[1:])
    chk("symlink.utime_nofollow", "utimensat(l,AT_SYMLINK_NOFOLLOW)",
        lambda: (os.utime(d + "/ltg", ns=(10**9, 2 * 10**9), follow_symlinks=False), os.lstat(d + "/ltg").st_mtime_ns, os.stat(d + "/tg").st_mtime_ns == 2 * 10**9)[1:])
    uchk("symlink.nonroot_follow_perm", "open(link->0600 root file)", NOBODY, NOBODY, lambda: openclose(d + "/ltg", os.O_RDONLY))


# ---------------------------------------------------------------- chmod
@section
def s_chmod():
    d = sub("chmod")
    mk(d + "/f", b"x")
    chk("chmod.times", "chmod(f,0600) times", lambda: tdiff(d + "/f", lambda: os.chmod(d + "/f", 0o600), "amc"))
    chk("chmod.07777_file", "chmod(f,07777)", lambda: (os.chmod(d + "/f", 0o7777), sd(d + "/f"))[1])
    os.mkdir(d + "/sd")
    chk("chmod.dir_03755", "chmod(dir,03755)", lambda: (os.chmod(d + "/sd", 0o3755), sd(d + "/sd"))[1])
    chk("chmod.dir_01777", "chmod(dir,01777)", lambda: (os.chmod(d + "/sd", 0o1777), sd(d + "/sd"))[1])
    chk("chmod.same_mode_times", "chmod(f,same) times", lambda: tdiff(d + "/f", lambda: os.chmod(d + "/f", 0o7777), "mc"))
    mk(d + "/r", b"x", 0o644)
    uchk("chmod.nonowner", "chmod(root file,0777)", NOBODY, NOBODY, lambda: os.chmod(d + "/r", 0o777))
    mk(d + "/u", b"x", 0o644)
    os.chown(d + "/u", U, G)
    uchk("chmod.owner_nonroot", "chmod(own file,0640)", U, G, lambda: (os.chmod(d + "/u", 0o640), sd(d + "/u"))[1])
    os.chown(d + "/u", U, 0)
    uchk("chmod.sgid_not_in_group", "owner 1000, file gid 0; chmod(02755)", U, G, lambda: (os.chmod(d + "/u", 0o2755), sd(d + "/u"))[1])
    uchk("chmod.sgid_in_group", "owner 1000, file gid 0, groups [1000,0]; chmod(02755)", U, G, lambda: (os.chmod(d + "/u", 0o2755), sd(d + "/u"))[1], [G, 0])
    uchk("chmod.sticky_file_nonroot", "owner chmod(01644) on file", U, G, lambda: (os.chmod(d + "/u", 0o1644), sd(d + "/u"))[1])
    os.mkdir(d + "/ud")
    os.chown(d + "/ud", U, 0)
    uchk("chmod.sgid_dir_not_in_group", "owner 1000 dir gid 0; chmod(02755)", U, G, lambda: (os.chmod(d + "/ud", 0o2755), sd(d + "/ud"))[1])

    def fch():
        mk(d + "/fc", b"x")
        fd = os.open(d + "/fc", os.O_RDONLY)
        tick()
        a = ts(fd)
        tick()
        os.fchmod(fd, 0o4711)
        settle()
        b = ts(fd)
        os.close(fd)
        return sd(d + "/fc") + " " + tch(a, b, "mc")
    chk("chmod.fchmod", "fchmod(fd,04711)", fch)
    chk("chmod.enoent", "chmod(missing)", lambda: os.chmod(d + "/missing", 0o644))
    chk("chmod.enotdir", "chmod(f/x)", lambda: os.chmod(d + "/f/x", 0o644))


# ---------------------------------------------------------------- chown
@section
def s_chown():
    d = sub("chown")
    mk(d + "/f", b"x")
    chk("chown.root_any", "chown(f,12345,54321)", lambda: (os.chown(d + "/f", 12345, 54321), sd(d + "/f"))[1])
    chk("chown.uid_only", "chown(f,777,-1)", lambda: (os.chown(d + "/f", 777, -1), sd(d + "/f"))[1])
    chk("chown.gid_only", "chown(f,-1,888)", lambda: (os.chown(d + "/f", -1, 888), sd(d + "/f"))[1])
    chk("chown.both_minus1_times", "chown(f,-1,-1) times", lambda: tdiff(d + "/f", lambda: os.chown(d + "/f", -1, -1), "mc") + " " + sd(d + "/f"))
    chk("chown.times", "chown(f,1,1) times", lambda: tdiff(d + "/f", lambda: os.chown(d + "/f", 1, 1), "amc"))
    chk("chown.same_owner_times", "chown(f,1,1) again times", lambda: tdiff(d + "/f", lambda: os.chown(d + "/f", 1, 1), "mc"))
    for m in (0o6755, 0o6555, 0o4755, 0o2755):
        mk(d + "/s", b"x")
        os.chmod(d + "/s", m)
        chk(f"chown.root_clears_{oct(m)}", f"chmod({oct(m)}); chown(f,5,5) as root", lambda: (os.chown(d + "/s", 5, 5), sd(d + "/s"))[1])
    mk(d + "/s", b"x")
    os.chmod(d + "/s", 0o6755)
    chk("chown.root_minus1_clears", "chmod(06755); chown(f,-1,-1) as root", lambda: (os.chown(d + "/s", -1, -1), sd(d + "/s"))[1])
    os.mkdir(d + "/sd")
    os.chmod(d + "/sd", 0o6755)
    chk("chown.dir_keeps", "chmod(dir,06755); chown(dir,5,5)", lambda: (os.chown(d + "/sd", 5, 5), sd(d + "/sd"))[1])
    mk(d + "/u", b"x")
    os.chown(d + "/u", U, G)
    uchk("chown.nonroot_uid", "chown(own file,65534,-1)", U, G, lambda: os.chown(d + "/u", NOBODY, -1))
    uchk("chown.nonroot_gid_member", "chown(own file,-1,2000) groups[1000,2000]", U, G, lambda: (os.chown(d + "/u", -1, 2000), sd(d + "/u"))[1], [G, 2000])
    uchk("chown.nonroot_gid_nonmember", "chown(own file,-1,3000)", U, G, lambda: os.chown(d + "/u", -1, 3000))
    uchk("chown.nonroot_same", "chown(own file,1000,-1)", U, G, lambda: (os.chown(d + "/u", U, -1), sd(d + "/u"))[1])
    uchk("chown.nonowner", "chown(root file,-1,-1)", NOBODY, NOBODY, lambda: os.chown(d + "/f", -1, -1))
    mk(d + "/us", b"x")
    os.chown(d + "/us", U, G)
    os.chmod(d + "/us", 0o6755)
    uchk("chown.nonroot_clears", "owner chmod 06755; chown(-1,2000)", U, G, lambda: (os.chown(d + "/us", -1, 2000), sd(d + "/us"))[1], [G, 2000])

    def fch():
        mk(d + "/fc", b"x")
        os.chmod(d + "/fc", 0o6755)
        fd = os.open(d + "/fc", os.O_RDONLY)
        os.fchown(fd, 42, 43)
        os.close(fd)
        return sd(d + "/fc")
    chk("chown.fchown_clears", "chmod 06755; fchown(fd,42,43)", fch)


# ---------------------------------------------------------------- write clears suid
@section
def s_killpriv():
    d = sub("killpriv")
    for m in (0o6777, 0o6767):
        mk(d + "/w", b"x")
        os.chmod(d + "/w", m)
        uchk(f"killpriv.write_{oct(m)}", f"root file {oct(m)}; write by nobody", NOBODY, NOBODY,
             lambda: (lambda fd: (os.write(fd, b"y"), os.close(fd)))(os.open(d + "/w", os.O_WRONLY)) and None)
        out(f"killpriv.write_{oct(m)}.mode", "stat after", run(lambda: sd(d + "/w")))
    mk(d + "/t", b"xxxx")
    os.chmod(d + "/t", 0o6777)
    uchk("killpriv.truncate", "root file 06777; truncate by nobody", NOBODY, NOBODY, lambda: os.truncate(d + "/t", 1))
    out("killpriv.truncate.mode", "stat after", run(lambda: sd(d + "/t")))
    mk(d + "/r", b"xxxx")
    os.chmod(d + "/r", 0o6777)

    def rootwrite():
        fd = os.open(d + "/r", os.O_WRONLY)
        os.write(fd, b"z")
        os.close(fd)
        return sd(d + "/r")
    chk("killpriv.write_by_root", "root file 06777; write by root", rootwrite)


# ---------------------------------------------------------------- truncate
@section
def s_truncate():
    d = sub("truncate")
    mk(d + "/f", b"0123456789")
    chk("truncate.grow", "truncate(f,20)", lambda: (os.truncate(d + "/f", 20), os.stat(d + "/f").st_size, rd(d + "/f"))[1:])
    chk("truncate.shrink", "truncate(f,4)", lambda: (os.truncate(d + "/f", 4), os.stat(d + "/f").st_size, rd(d + "/f"))[1:])
    chk("truncate.times", "truncate(f,8) times", lambda: tdiff(d + "/f", lambda: os.truncate(d + "/f", 8), "amc"))
    chk("truncate.same_size_times", "truncate(f,8) again times", lambda: tdiff(d + "/f", lambda: os.truncate(d + "/f", 8), "mc"))
    os.mkdir(d + "/sd")
    chk("truncate.dir", "truncate(dir,0)", lambda: os.truncate(d + "/sd", 0))
    chk("truncate.negative", "truncate(f,-1)", lambda: os.truncate(d + "/f", -1))
    chk("truncate.enoent", "truncate(missing,0)", lambda: os.truncate(d + "/missing", 0))
    chk("truncate.huge", "truncate(f,2**62)", lambda: os.truncate(d + "/f", 2**62))
    chk("truncate.big_sparse", "truncate(f,10GiB)", lambda: (os.truncate(d + "/f", 10 * 2**30), os.stat(d + "/f").st_size)[1])
    os.truncate(d + "/f", 8)

    def fro():
        fd = os.open(d + "/f", os.O_RDONLY)
        try:
            os.ftruncate(fd, 2)
        finally:
            os.close(fd)
    chk("truncate.ftruncate_rdonly", "ftruncate(O_RDONLY fd,2)", fro)

    def ftimes():
        fd = os.open(d + "/f", os.O_RDWR)
        tick()
        a = ts(fd)
        tick()
        os.ftruncate(fd, 3)
        settle()
        b = ts(fd)
        r = f"size={os.fstat(fd).st_size} {tch(a, b, 'mc')} pathsize={os.stat(d + '/f').st_size}"
        os.close(fd)
        return r
    chk("truncate.ftruncate", "ftruncate(fd,3) times", ftimes)
    chk("truncate.ftruncate_negative", "ftruncate(fd,-1)", lambda: (lambda fd: [run(lambda: os.ftruncate(fd, -1)), os.close(fd)][0])(os.open(d + "/f", os.O_RDWR)))
    mk(d + "/r", b"x", 0o644)
    uchk("truncate.eacces", "truncate(root 0644 file) as nobody", NOBODY, NOBODY, lambda: os.truncate(d + "/r", 0))
    mk(d + "/w", b"abcdef", 0o666)
    uchk("truncate.nonowner_writable", "truncate(root 0666 file,2) as nobody", NOBODY, NOBODY, lambda: (os.truncate(d + "/w", 2), os.stat(d + "/w").st_size)[1])

    def other_fd():
        mk(d + "/o", b"0123456789")
        fd = os.open(d + "/o", os.O_RDWR)
        os.read(fd, 3)
        os.truncate(d + "/o", 2)
        r = f"fstat={os.fstat(fd).st_size} read={os.pread(fd, 20, 0)!r}"
        os.pwrite(fd, b"Z", 5)
        os.close(fd)
        return r + f" final={rd(d + '/o')!r}"
    chk("truncate.path_while_fd_open", "open(o); truncate(o,2); pread; pwrite(5)", other_fd)


# ---------------------------------------------------------------- O_TRUNC with other open fd
@section
def s_otrunc():
    d = sub("otrunc")
    mk(d + "/f", b"0123456789")

    def t1():
        r = os.open(d + "/f", os.O_RDONLY)
        os.read(r, 2)
        w = os.open(d + "/f", os.O_WRONLY | os.O_TRUNC)
        res = f"reader fstat={os.fstat(r).st_size} pread={os.pread(r, 20, 0)!r} stat={os.stat(d + '/f').st_size}"
        os.close(w)
        res += f" after-close pread={os.pread(r, 20, 0)!r}"
        os.close(r)
        return res
    chk("otrunc.reader_sees_trunc", "open r; open(O_TRUNC); pread r", t1)
    mk(d + "/g", b"0123456789")

    def t2():
        w1 = os.open(d + "/g", os.O_WRONLY)
        os.write(w1, b"AB")
        w2 = os.open(d + "/g", os.O_WRONLY | os.O_TRUNC)
        os.write(w1, b"CD")
        os.close(w2)
        os.close(w1)
        return repr(rd(d + "/g"))
    chk("otrunc.writer_then_trunc", "w1 write AB; w2 O_TRUNC; w1 write CD; close w2; close w1", t2)
    mk(d + "/h", b"0123456789")

    def t3():
        w1 = os.open(d + "/h", os.O_WRONLY)
        os.write(w1, b"AB")
        w2 = os.open(d + "/h", os.O_WRONLY | os.O_TRUNC)
        os.write(w2, b"x")
        os.close(w1)
        os.close(w2)
        return repr(rd(d + "/h"))
    chk("otrunc.trunc_close_order", "w1 write AB; w2 O_TRUNC write x; close w1; close w2", t3)

    def t4():
        mk(d + "/k", b"0123456789")
        w1 = os.open(d + "/k", os.O_WRONLY)
        os.pwrite(w1, b"AB", 0)
        os.truncate(d + "/k", 0)
        os.close(w1)
        return repr(rd(d + "/k"))
    chk("otrunc.truncate_path_with_dirty_fd", "w1 pwrite AB; truncate(k,0); close w1", t4)


# ---------------------------------------------------------------- write / read / holes
@section
def s_write():
    d = sub("write")

    def holes():
        fd = os.open(d + "/h", os.O_CREAT | os.O_RDWR, 0o644)
        os.write(fd, b"head")
        os.pwrite(fd, b"tail", 1048576 + 5)
        st = os.fstat(fd)
        os.close(fd)
        data = rd(d + "/h")
        return f"size={st.st_size} len={len(data)} hole_zero={data[4:1048581] == bytes(1048577)} tail={data[-4:]!r}"
    chk("write.hole", "write 'head'; pwrite('tail',1MiB+5); read", holes)

    def wtimes():
        mk(d + "/t", b"abc")
        fd = os.open(d + "/t", os.O_WRONLY)
        tick()
        a = ts(d + "/t")
        tick()
        os.write(fd, b"X")
        settle()
        b = ts(d + "/t")
        bf = ts(fd)
        os.close(fd)
        settle()
        c = ts(d + "/t")
        return f"path-before-close {tch(a, b, 'mc')} fstat {tch(a, bf, 'mc')} after-close {tch(a, c, 'mc')}"
    chk("write.times", "write(fd) times", wtimes)

    def zerow():
        mk(d + "/z", b"abc")
        fd = os.open(d + "/z", os.O_WRONLY)
        tick()
        a = ts(d + "/z")
        tick()
        os.write(fd, b"")
        os.close(fd)
        settle()
        return tch(a, ts(d + "/z"), "mc")
    chk("write.zero_len_times", "write(fd,'') times", zerow)

    def rtimes():
        mk(d + "/r", b"abc")
        os.utime(d + "/r", ns=(10**9, 2 * 10**9))
        tick()
        a = ts(d + "/r")
        with open(d + "/r", "rb") as f:
            f.read()
        settle()
        return tch(a, ts(d + "/r"), "amc")
    chk("write.read_atime", "utime(old); read; times (relatime)", rtimes)

    def sizepath():
        fd = os.open(d + "/s", os.O_CREAT | os.O_WRONLY, 0o644)
        os.write(fd, b"x" * 5000)
        a = os.stat(d + "/s").st_size
        b = os.fstat(fd).st_size
        r = os.open(d + "/s", os.O_RDONLY)
        c = len(os.read(r, 10000))
        os.close(r)
        os.close(fd)
        return f"stat={a} fstat={b} other-fd-read={c}"
    chk("write.visible_before_close", "write 5000 (no close); stat; fstat; read via 2nd fd", sizepath)

    def blocks():
        mk(d + "/b", b"y" * 10000)
        fd = os.open(d + "/b", os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
        st = os.stat(d + "/b")
        return f"blocks*512>=size={st.st_blocks * 512 >= st.st_size} blksize={st.st_blksize}"
    chk("write.st_blocks", "write 10000; fsync; stat blocks", blocks)

    def sparse_blocks():
        fd = os.open(d + "/sp", os.O_CREAT | os.O_WRONLY, 0o644)
        os.ftruncate(fd, 100 * 2**20)
        os.fsync(fd)
        os.close(fd)
        st = os.stat(d + "/sp")
        return f"size={st.st_size} blocks_lt_size={st.st_blocks * 512 < st.st_size}"
    chk("write.sparse_blocks", "ftruncate 100MiB; stat blocks", sparse_blocks)

    def mm():
        mk(d + "/m", b"\0" * 8192)
        fd = os.open(d + "/m", os.O_RDWR)
        m = mmap.mmap(fd, 8192, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        m[100:105] = b"mmapd"
        m.flush()
        m.close()
        os.close(fd)
        return repr(rd(d + "/m")[100:105])
    chk("write.mmap_shared", "mmap shared write; msync; read", mm)

    def rdwrite():
        fd = os.open(d + "/rw", os.O_CREAT | os.O_RDWR, 0o644)
        os.write(fd, b"abcdef")
        os.lseek(fd, 2, 0)
        os.write(fd, b"ZZ")
        os.lseek(fd, 0, 0)
        r = os.read(fd, 10)
        os.close(fd)
        return repr(r)
    chk("write.overwrite_middle", "write abcdef; lseek 2; write ZZ; read", rdwrite)

    def big():
        fd = os.open(d + "/big", os.O_CREAT | os.O_RDWR, 0o644)
        blob = bytes(range(256)) * 4096 * 5  # 5 MiB
        os.write(fd, blob)
        os.close(fd)
        return f"eq={rd(d + '/big') == blob}"
    chk("write.5MiB_roundtrip", "write 5MiB; read", big)
    chk("write.efbig", "pwrite at 2**62", lambda: (lambda fd: [run(lambda: os.pwrite(fd, b"x", 2**62)), os.close(fd)][0])(os.open(d + "/rw", os.O_WRONLY)))
    chk("write.pwrite_negative", "pwrite at -1", lambda: (lambda fd: [run(lambda: os.pwrite(fd, b"x", -1)), os.close(fd)][0])(os.open(d + "/rw", os.O_WRONLY)))


# ---------------------------------------------------------------- seek data/hole
@section
def s_seek():
    d = sub("seek")
    fd = os.open(d + "/f", os.O_CREAT | os.O_RDWR, 0o644)
    os.write(fd, b"x" * 4096)
    os.pwrite(fd, b"y" * 4096, 2**20)
    os.fsync(fd)
    for nm, off, wh in (("data0", 0, os.SEEK_DATA), ("hole0", 0, os.SEEK_HOLE), ("data8192", 8192, os.SEEK_DATA),
                        ("hole_at_end", 2**20, os.SEEK_HOLE), ("data_past_eof", 2**21, os.SEEK_DATA), ("hole_past_eof", 2**21, os.SEEK_HOLE)):
        chk("seek." + nm, f"lseek({off},{'SEEK_DATA' if wh == os.SEEK_DATA else 'SEEK_HOLE'})", lambda: os.lseek(fd, off, wh))
    chk("seek.end", "lseek(0,SEEK_END)", lambda: os.lseek(fd, 0, os.SEEK_END))
    chk("seek.negative", "lseek(-1,SEEK_SET)", lambda: os.lseek(fd, -1, os.SEEK_SET))
    os.close(fd)


# ---------------------------------------------------------------- fallocate
@section
def s_fallocate():
    d = sub("falloc")
    mk(d + "/f", b"abc")

    def pfa():
        fd = os.open(d + "/f", os.O_RDWR)
        try:
            os.posix_fallocate(fd, 0, 8192)
            return f"size={os.fstat(fd).st_size} data={os.pread(fd, 4, 0)!r}"
        finally:
            os.close(fd)
    chk("falloc.posix_fallocate", "posix_fallocate(0,8192)", pfa)

    def fa(mode, off, ln):
        def f():
            fd = os.open(d + "/f", os.O_RDWR)
            try:
                r = libc.fallocate(fd, ctypes.c_int(mode), ctypes.c_long(off), ctypes.c_long(ln))
                if r != 0:
                    e = ctypes.get_errno()
                    raise OSError(e, os.strerror(e))
                return f"size={os.fstat(fd).st_size}"
            finally:
                os.close(fd)
        return f
    chk("falloc.fallocate_0", "fallocate(0,0,16384)", fa(0, 0, 16384))
    chk("falloc.fallocate_keep_size", "fallocate(KEEP_SIZE,0,65536)", fa(1, 0, 65536))
    chk("falloc.punch_hole", "fallocate(PUNCH_HOLE|KEEP_SIZE,0,4096)", fa(3, 0, 4096))
    chk("falloc.zero_range", "fallocate(ZERO_RANGE,0,4096)", fa(0x10, 0, 4096))
    chk("falloc.posix_fadvise", "posix_fadvise(DONTNEED)", lambda: (lambda fd: [os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED), os.close(fd)][0])(os.open(d + "/f", os.O_RDONLY)))


# ---------------------------------------------------------------- utimes
@section
def s_utime():
    d = sub("utime")
    mk(d + "/f", b"x")
    chk("utime.explicit_ns", "utimensat(f,(1e9+123456789,1.2e9+987654321))",
        lambda: (os.utime(d + "/f", ns=(10**18 + 123456789, 12 * 10**17 + 987654321)), os.stat(d + "/f").st_atime_ns, os.stat(d + "/f").st_mtime_ns)[1:])
    chk("utime.explicit_ctime", "utimensat explicit -> ctime", lambda: tdiff(d + "/f", lambda: os.utime(d + "/f", ns=(5 * 10**17, 6 * 10**17)), "c"))
    chk("utime.now", "utimensat(f,NULL)", lambda: (lambda a: (os.utime(d + "/f"), settle(), tch(a, ts(d + "/f"), "amc"), abs(os.stat(d + "/f").st_mtime - time.time()) < 5)[2:])((tick(), ts(d + "/f"))[1]))

    def omit():
        os.utime(d + "/f", ns=(10**18, 10**18))
        UTIME_OMIT = (1 << 30) - 2
        UTIME_NOW = (1 << 30) - 1

        class TS(ctypes.Structure):
            _fields_ = [("s", ctypes.c_long), ("ns", ctypes.c_long)]
        res = []
        for label, a, m in (("omit_atime", (0, UTIME_OMIT), (1500000000, 5)), ("omit_mtime", (1600000000, 7), (0, UTIME_OMIT)),
                            ("both_omit", (0, UTIME_OMIT), (0, UTIME_OMIT)), ("now_atime_omit_mtime", (0, UTIME_NOW), (0, UTIME_OMIT))):
            tick()
            before = ts(d + "/f")
            tick()
            arr = (TS * 2)(TS(*a), TS(*m))
            r = libc.utimensat(-100, os.fsencode(d + "/f"), arr, 0)
            settle()
            after = ts(d + "/f")
            res.append(f"{label}: rc={r} {tch(before, after, 'amc')} m={after[1]}")
        return " ; ".join(res)
    chk("utime.omit", "utimensat with UTIME_OMIT/UTIME_NOW combos", omit)
    chk("utime.pre1970", "utimensat(f,-1000s)", lambda: (os.utime(d + "/f", ns=(-10**12, -10**12 + 5)), os.stat(d + "/f").st_mtime_ns)[1])
    chk("utime.far_future", "utimensat(f,2**34 s)", lambda: (os.utime(d + "/f", (2**34, 2**34)), os.stat(d + "/f").st_mtime_ns)[1])
    os.mkdir(d + "/sd")
    chk("utime.dir", "utimensat(dir,explicit)", lambda: (os.utime(d + "/sd", ns=(3 * 10**9, 4 * 10**9 + 1)), os.stat(d + "/sd").st_mtime_ns)[1])
    mk(d + "/w", b"x", 0o666)
    mk(d + "/nw", b"x", 0o644)
    uchk("utime.nonowner_null_writable", "utimensat(root 0666,NULL)", NOBODY, NOBODY, lambda: os.utime(d + "/w"))
    uchk("utime.nonowner_null_readonly", "utimensat(root 0644,NULL)", NOBODY, NOBODY, lambda: os.utime(d + "/nw"))
    uchk("utime.nonowner_explicit_writable", "utimensat(root 0666,explicit)", NOBODY, NOBODY, lambda: os.utime(d + "/w", (1, 1)))
    mk(d + "/u", b"x", 0o644)
    os.chown(d + "/u", U, G)
    uchk("utime.owner_explicit", "utimensat(own,explicit)", U, G, lambda: (os.utime(d + "/u", ns=(7, 8)), os.stat(d + "/u").st_mtime_ns)[1])

    def futimes():
        mk(d + "/fu", b"x")
        fd = os.open(d + "/fu", os.O_RDONLY)
        os.utime(fd, ns=(11 * 10**9 + 1, 12 * 10**9 + 2))
        os.close(fd)
        st = os.stat(d + "/fu")
        return f"{st.st_atime_ns} {st.st_mtime_ns}"
    chk("utime.futimens", "futimens(fd,explicit)", futimes)
    chk("utime.enoent", "utimensat(missing)", lambda: os.utime(d + "/missing"))


# ---------------------------------------------------------------- link / mknod
@section
def s_special():
    d = sub("special")
    mk(d + "/f")
    chk("link.file", "link(f,g)", lambda: os.link(d + "/f", d + "/g"))
    chk("link.eexist", "link(f,f)", lambda: os.link(d + "/f", d + "/f"))
    os.mkdir(d + "/sd")
    chk("link.dir", "link(dir,x)", lambda: os.link(d + "/sd", d + "/x"))
    chk("link.enoent", "link(missing,x)", lambda: os.link(d + "/missing", d + "/x"))
    chk("mkfifo", "mkfifo(p)", lambda: (os.mkfifo(d + "/p"), sd(d + "/p"))[1])
    chk("mknod.reg", "mknod(S_IFREG|0640)", lambda: (os.mknod(d + "/r", stat.S_IFREG | 0o640), sd(d + "/r"))[1])
    chk("mknod.reg_eexist", "mknod(existing,S_IFREG)", lambda: os.mknod(d + "/r", stat.S_IFREG | 0o640))
    chk("mknod.chr", "mknod(S_IFCHR,1:3)", lambda: (os.mknod(d + "/c", stat.S_IFCHR | 0o600, os.makedev(1, 3)), sd(d + "/c"))[1])
    chk("mknod.blk", "mknod(S_IFBLK)", lambda: (os.mknod(d + "/bk", stat.S_IFBLK | 0o600, os.makedev(7, 0)), sd(d + "/bk"))[1])

    def sock():
        import socket
        s = socket.socket(socket.AF_UNIX)
        try:
            s.bind(d + "/sock")
            return sd(d + "/sock")
        finally:
            s.close()
    chk("mknod.socket", "bind(AF_UNIX)", sock)


# ---------------------------------------------------------------- sticky
@section
def s_sticky():
    d = sub("sticky")
    os.chmod(d, 0o1777)
    mk(d + "/uf", b"x", 0o666)
    os.chown(d + "/uf", U, G)
    mk(d + "/uf2", b"x", 0o666)
    os.chown(d + "/uf2", U, G)
    mk(d + "/nf", b"x", 0o666)
    os.chown(d + "/nf", NOBODY, NOBODY)
    os.mkdir(d + "/ud")
    os.chown(d + "/ud", U, G)
    uchk("sticky.unlink_other", "unlink(1000's file in 1777) as nobody", NOBODY, NOBODY, lambda: os.unlink(d + "/uf"))
    uchk("sticky.rename_other", "rename(1000's file) as nobody", NOBODY, NOBODY, lambda: os.rename(d + "/uf", d + "/x"))
    uchk("sticky.rename_over_other", "rename(own,1000's file) as nobody", NOBODY, NOBODY, lambda: os.rename(d + "/nf", d + "/uf"))
    uchk("sticky.rmdir_other", "rmdir(1000's dir) as nobody", NOBODY, NOBODY, lambda: os.rmdir(d + "/ud"))
    uchk("sticky.rename_other_dir", "rename(1000's dir) as nobody", NOBODY, NOBODY, lambda: os.rename(d + "/ud", d + "/ud2"))
    uchk("sticky.unlink_own", "unlink(own file) as 1000", U, G, lambda: os.unlink(d + "/uf2"))
    uchk("sticky.rename_own", "rename(own file) as 1000", U, G, lambda: os.rename(d + "/uf", d + "/uf3"))
    chk("sticky.root_unlink", "unlink(others' file) as root", lambda: os.unlink(d + "/nf"))
    os.mkdir(d + "/ns")
    os.chmod(d + "/ns", 0o777)
    mk(d + "/ns/uf", b"x", 0o644)
    os.chown(d + "/ns/uf", U, G)
    uchk("sticky.nonsticky_unlink_other", "unlink(1000's file in 0777 dir) as nobody", NOBODY, NOBODY, lambda: os.unlink(d + "/ns/uf"))
    own = sub("sticky_owned")
    os.chown(own, NOBODY, NOBODY)
    os.chmod(own, 0o1777)
    mk(own + "/uf", b"x", 0o644)
    os.chown(own + "/uf", U, G)
    uchk("sticky.dir_owner_unlink", "unlink(1000's file in nobody's 1777 dir) as nobody", NOBODY, NOBODY, lambda: os.unlink(own + "/uf"))


# ---------------------------------------------------------------- access
@section
def s_access():
    d = sub("access")
    mk(d + "/r", b"x", 0o644)
    mk(d + "/x", b"x", 0o100)
    mk(d + "/n", b"x", 0o000)
    for nm, p, m in (("F_OK", "r", os.F_OK), ("R_OK", "r", os.R_OK), ("W_OK", "r", os.W_OK), ("X_OK", "r", os.X_OK)):
        uchk("access.nobody_" + nm, f"access(0644 root file,{nm})", NOBODY, NOBODY, lambda: os.access(d + "/" + p, m) or (_ for _ in ()).throw(OSError(errno.EACCES, "")))
    uchk("access.nobody_missing", "access(missing,F_OK)", NOBODY, NOBODY, lambda: libc_access(d + "/missing", 0))
    uchk("access.nobody_W_raw", "access(0644 root file,W_OK) errno", NOBODY, NOBODY, lambda: libc_access(d + "/r", 2))
    chk("access.root_X_noexec", "access(0644,X_OK) as root", lambda: libc_access(d + "/r", 1))
    chk("access.root_X_0100", "access(0100,X_OK) as root", lambda: libc_access(d + "/x", 1))
    chk("access.root_RW_0000", "access(0000,R_OK|W_OK) as root", lambda: libc_access(d + "/n", 6))
    chk("access.root_dir_X", "access(dir 0700,X_OK) as root", lambda: (os.mkdir(d + "/sd", 0o700), libc_access(d + "/sd", 1))[1])

    def eacc():
        os.setresuid(NOBODY, NOBODY, 0)  # not used
    uchk("access.faccessat_eaccess", "faccessat(0644,W_OK,AT_EACCESS)", NOBODY, NOBODY, lambda: os.access(d + "/r", os.W_OK, effective_ids=True) or (_ for _ in ()).throw(OSError(errno.EACCES, "")))


def libc_access(p, m):
    r = libc.access(os.fsencode(p), m)
    if r != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


# ---------------------------------------------------------------- nlink
@section
def s_nlink():
    d = sub("nlink")
    r = [os.stat(d).st_nlink]
    for i in range(3):
        os.mkdir(f"{d}/s{i}")
    r.append(os.stat(d).st_nlink)
    mk(d + "/file")
    r.append(os.stat(d).st_nlink)
    os.rmdir(d + "/s0")
    r.append(os.stat(d).st_nlink)
    os.rename(d + "/s1", d + "/s2/s1")
    r.append(os.stat(d).st_nlink)
    r.append(os.stat(d + "/s2").st_nlink)
    out("nlink.sequence", "fresh,+3 mkdir,+file,rmdir,move into sibling; sibling", repr(r))
    chk("nlink.file", "file nlink", lambda: os.stat(d + "/file").st_nlink)
    chk("nlink.symlink", "symlink nlink", lambda: (os.symlink("x", d + "/l"), os.lstat(d + "/l").st_nlink)[1])


# ---------------------------------------------------------------- statvfs
@section
def s_statvfs():
    s = os.statvfs(D)
    out("statvfs.fields", "statvfs(dir)",
        f"bsize>0={s.f_bsize > 0} frsize>0={s.f_frsize > 0} blocks>0={s.f_blocks > 0} bfree<=blocks={s.f_bfree <= s.f_blocks} "
        f"bavail<=bfree={s.f_bavail <= s.f_bfree} files>=ffree={s.f_files >= s.f_ffree} namemax={s.f_namemax}")
    fd = os.open(D, os.O_RDONLY)
    chk("statvfs.fstatvfs", "fstatvfs(dirfd)", lambda: os.fstatvfs(fd).f_namemax)
    os.close(fd)


# ---------------------------------------------------------------- xattr
@section
def s_xattr():
    d = sub("xattr")
    f = d + "/f"
    mk(f, b"x")
    chk("xattr.set", "setxattr(f,user.x,'val')", lambda: os.setxattr(f, "user.x", b"val"))
    chk("xattr.get", "getxattr(f,user.x)", lambda: os.getxattr(f, "user.x"))
    chk("xattr.list", "listxattr(f)", lambda: sorted(n for n in os.listxattr(f) if not n.startswith("user.cairn")))
    chk("xattr.list_cairn", "listxattr(f) user.cairn.*", lambda: sorted(n for n in os.listxattr(f) if n.startswith("user.cairn")))
    chk("xattr.set_times", "setxattr times", lambda: tdiff(f, lambda: os.setxattr(f, "user.t", b"1"), "mc"))
    chk("xattr.create_exists", "setxattr(user.x,XATTR_CREATE)", lambda: os.setxattr(f, "user.x", b"v", os.XATTR_CREATE))
    chk("xattr.replace_missing", "setxattr(user.nx,XATTR_REPLACE)", lambda: os.setxattr(f, "user.nx", b"v", os.XATTR_REPLACE))
    chk("xattr.empty_value", "setxattr(user.e,'')", lambda: (os.setxattr(f, "user.e", b""), os.getxattr(f, "user.e"))[1])
    chk("xattr.value_4000", "setxattr(user.big,4000 bytes)", lambda: (os.setxattr(f, "user.big", b"v" * 4000), len(os.getxattr(f, "user.big")))[1])
    lim = d + "/lim"
    mk(lim, b"x")
    chk("xattr.value_65536", "setxattr(user.huge,65536 bytes)", lambda: (os.setxattr(lim, "user.huge", b"v" * 65536), len(os.getxattr(lim, "user.huge")))[1])
    chk("xattr.value_65537", "setxattr(user.huge2,65537 bytes)", lambda: os.setxattr(lim, "user.huge2", b"v" * 65537))
    mk(lim + "2", b"x")
    chk("xattr.name_255", "setxattr(user.+250 chars)", lambda: os.setxattr(lim + "2", "user." + "a" * 250, b"v"))
    chk("xattr.name_256", "setxattr(user.+251 chars)", lambda: os.setxattr(lim + "2", "user." + "a" * 251, b"v"))
    chk("xattr.remove", "removexattr(user.x)", lambda: os.removexattr(f, "user.x"))
    chk("xattr.get_removed", "getxattr(user.x)", lambda: os.getxattr(f, "user.x"))
    chk("xattr.remove_missing", "removexattr(user.x)", lambda: os.removexattr(f, "user.x"))
    chk("xattr.get_missing", "getxattr(user.nope)", lambda: os.getxattr(f, "user.nope"))
    chk("xattr.trusted", "setxattr(trusted.x) as root", lambda: os.setxattr(f, "trusted.x", b"1"))
    chk("xattr.security", "setxattr(security.x)", lambda: os.setxattr(f, "security.x", b"1"))
    chk("xattr.system", "setxattr(system.x)", lambda: os.setxattr(f, "system.x", b"1"))
    chk("xattr.bad_ns", "setxattr(foo.x)", lambda: os.setxattr(f, "foo.x", b"1"))
    chk("xattr.get_security_selinux", "getxattr(security.selinux)", lambda: os.getxattr(f, "security.selinux"))
    chk("xattr.get_posix_acl", "getxattr(system.posix_acl_access)", lambda: os.getxattr(f, "system.posix_acl_access"))
    os.mkdir(d + "/sd")
    chk("xattr.dir", "setxattr(dir,user.d)", lambda: (os.setxattr(d + "/sd", "user.d", b"dv"), os.getxattr(d + "/sd", "user.d"))[1])
    os.symlink("f", d + "/l")
    chk("xattr.symlink_nofollow", "lsetxattr(symlink,user.l)", lambda: os.setxattr(d + "/l", "user.l", b"1", follow_symlinks=False))
    chk("xattr.symlink_list_nofollow", "llistxattr(symlink)", lambda: sorted(n for n in os.listxattr(d + "/l", follow_symlinks=False) if not n.startswith("user.cairn")))
    mk(d + "/r", b"x", 0o644)
    run(lambda: os.setxattr(d + "/r", "user.r", b"1"))
    uchk("xattr.nonowner_set", "setxattr(root 0644 file) as nobody", NOBODY, NOBODY, lambda: os.setxattr(d + "/r", "user.n", b"1"))
    uchk("xattr.nonowner_get", "getxattr(root 0644 file) as nobody", NOBODY, NOBODY, lambda: os.getxattr(d + "/r", "user.r"))
    mk(d + "/r6", b"x", 0o600)
    run(lambda: os.setxattr(d + "/r6", "user.r", b"1"))
    uchk("xattr.nonowner_get_0600", "getxattr(root 0600 file) as nobody", NOBODY, NOBODY, lambda: os.getxattr(d + "/r6", "user.r"))

    def fx():
        fd = os.open(f, os.O_RDONLY)
        os.setxattr(fd, "user.fd", b"fdv")
        v = os.getxattr(fd, "user.fd")
        os.close(fd)
        return v
    chk("xattr.fsetxattr", "fsetxattr/fgetxattr", fx)

    def unlinked_x():
        mk(d + "/ux", b"x")
        fd = os.open(d + "/ux", os.O_RDONLY)
        os.unlink(d + "/ux")
        r = run(lambda: os.setxattr(fd, "user.u", b"1"))
        r += " get=" + run(lambda: os.getxattr(fd, "user.u"))
        os.close(fd)
        return r
    chk("xattr.unlinked_open_file", "open; unlink; fsetxattr; fgetxattr", unlinked_x)
    chk("xattr.rename_keeps", "setxattr; rename; getxattr", lambda: (os.setxattr(d + "/r", "user.k", b"kept"), os.rename(d + "/r", d + "/r2"), os.getxattr(d + "/r2", "user.k"))[2])


# ---------------------------------------------------------------- fsync
@section
def s_fsync():
    d = sub("fsync")
    mk(d + "/f", b"x")
    fd = os.open(d, os.O_RDONLY)
    chk("fsync.dir", "fsync(dirfd)", lambda: os.fsync(fd))
    chk("fsync.fdatasync_dir", "fdatasync(dirfd)", lambda: os.fdatasync(fd))
    os.close(fd)
    fd = os.open(d + "/f", os.O_RDWR)
    os.write(fd, b"y")
    chk("fsync.file", "fsync(file)", lambda: os.fsync(fd))
    chk("fsync.fdatasync_file", "fdatasync(file)", lambda: os.fdatasync(fd))
    os.close(fd)
    fd = os.open(d + "/f", os.O_RDONLY)
    chk("fsync.rdonly_file", "fsync(O_RDONLY fd)", lambda: os.fsync(fd))
    os.close(fd)
    chk("fsync.sync", "sync()", lambda: os.sync())

    def unl():
        fd = os.open(d + "/f", os.O_RDWR)
        os.unlink(d + "/f")
        os.write(fd, b"z")
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    chk("fsync.unlinked", "open; unlink; write; fsync", unl)


# ---------------------------------------------------------------- readdir
class Dirent(ctypes.Structure):
    _fields_ = [("d_ino", ctypes.c_uint64), ("d_off", ctypes.c_int64), ("d_reclen", ctypes.c_ushort),
                ("d_type", ctypes.c_ubyte), ("d_name", ctypes.c_char * 256)]


libc.opendir.restype = ctypes.c_void_p
libc.opendir.argtypes = [ctypes.c_char_p]
libc.readdir64.restype = ctypes.POINTER(Dirent)
libc.readdir64.argtypes = [ctypes.c_void_p]
libc.closedir.argtypes = [ctypes.c_void_p]
libc.rewinddir.argtypes = [ctypes.c_void_p]
libc.telldir.argtypes = [ctypes.c_void_p]
libc.telldir.restype = ctypes.c_long
libc.seekdir.argtypes = [ctypes.c_void_p, ctypes.c_long]


def readn(dp, n=None):
    names = []
    while n is None or len(names) < n:
        ent = libc.readdir64(dp)
        if not ent:
            break
        names.append((ent.contents.d_name, ent.contents.d_type))
    return names


def summarize(names, expected):
    from collections import Counter
    c = Counter(n for n, _ in names)
    dups = sorted(n for n, k in c.items() if k > 1)
    missing = sorted(expected - set(c))
    extra = sorted(set(c) - expected - {b".", b".."})
    return f"entries={len(names)} dot={c[b'.']} dotdot={c[b'..']} dups={len(dups)} missing={len(missing)} extra={len(extra)}{' ' + repr(extra[:5]) if extra else ''}"


@section
def s_readdir():
    d = sub("readdir")
    exp = set()
    for i in range(2000):
        nm = f"e{i:05d}"
        openclose(f"{d}/{nm}", os.O_CREAT | os.O_WRONLY)
        exp.add(nm.encode())
    dp = libc.opendir(os.fsencode(d))
    names = readn(dp)
    libc.closedir(dp)
    out("readdir.2000", "opendir+readdir all", summarize(names, exp))
    types = {t for n, t in names if n.startswith(b"e")}
    out("readdir.d_type", "d_type of files", repr(sorted(types)))
    # modified while reading: read 500, create 100 new, remove 100 not-yet-seen? (POSIX: unspecified for those)
    dp = libc.opendir(os.fsencode(d))
    first = readn(dp, 500)
    seen = {n for n, _ in first}
    removed = set()
    for i in range(100):
        openclose(f"{d}/new{i:03d}", os.O_CREAT | os.O_WRONLY)
    for nm in sorted(exp - seen)[:50] + sorted(seen - {b".", b".."})[:50]:
        os.unlink(os.fsdecode(d.encode() + b"/" + nm))
        removed.add(nm)
    rest = readn(dp)
    allnames = first + rest
    stable = exp - removed
    from collections import Counter
    c = Counter(n for n, _ in allnames)
    dups = [n for n, k in c.items() if k > 1]
    missing = stable - set(c)
    out("readdir.modified_during", "read 500; create 100; unlink 100; read rest",
        f"dot={c[b'.']} dotdot={c[b'..']} stable_missing={len(missing)} dups={len(dups)}")
    libc.rewinddir(dp)
    again = readn(dp)
    news = sum(1 for n, _ in again if n.startswith(b"new"))
    out("readdir.rewind", "rewinddir after changes", f"total={len(again)} new_seen={news} removed_seen={sum(1 for n, _ in again if n in removed)}")
    libc.closedir(dp)
    # telldir/seekdir
    dp = libc.opendir(os.fsencode(d))
    readn(dp, 10)
    pos = libc.telldir(dp)
    nxt = readn(dp, 3)
    libc.seekdir(dp, pos)
    nxt2 = readn(dp, 3)
    libc.closedir(dp)
    out("readdir.seekdir", "telldir; read 3; seekdir; read 3", f"same={nxt == nxt2}")
    e = sub("readdir_empty")
    dp = libc.opendir(os.fsencode(e))
    out("readdir.empty", "readdir(empty dir)", repr(sorted(n for n, _ in readn(dp))))
    libc.closedir(dp)
    chk("readdir.opendir_file", "opendir(file)", lambda: os.listdir(d + "/e01999"))
    # special names
    sp = sub("names")
    res = []
    for nm in (b"a\nb", b"sp ace", b"back\\slash", b"col:on", b"star*q?", b"\xff\xfe", b"\xc3\xa9nfc", b"e\xcc\x81nfd", b"Case", b"case", b"-dash", b".hidden", b"\x01ctl"):
        p = os.fsencode(sp) + b"/" + nm
        try:
            fd = os.open(p, os.O_CREAT | os.O_WRONLY, 0o644)
            os.write(fd, nm)
            os.close(fd)
            with open(p, "rb") as fh:
                ok = fh.read() == nm
            res.append(f"{nm!r}:ok{'' if ok else '-badcontent'}")
        except OSError as ex:
            res.append(f"{nm!r}:{en(ex)}")
    out("names.create", "create files with special names", " ".join(res))
    listed = set(os.listdir(os.fsencode(sp)))
    want = {b"a\nb", b"sp ace", b"back\\slash", b"col:on", b"star*q?", b"\xff\xfe", b"\xc3\xa9nfc", b"e\xcc\x81nfd", b"Case", b"case", b"-dash", b".hidden", b"\x01ctl"}
    out("names.listed", "listdir(bytes)", f"missing={sorted(want - listed)!r} extra={sorted(listed - want)!r}")


# ---------------------------------------------------------------- found later: O_TRUNC by non-owner, names aliasing
@section
def s_extra():
    d = sub("extra")
    for i, fl in enumerate((os.O_WRONLY | os.O_TRUNC, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, os.O_RDWR | os.O_TRUNC)):
        p = f"{d}/t{i}"
        mk(p, b"xyz", 0o6777)
        uchk(f"extra.otrunc_kills_suid_{i}", f"root file 06777; open({oct(fl)}) by nobody", NOBODY, NOBODY, lambda: openclose(p, fl))
        out(f"extra.otrunc_kills_suid_{i}.mode", "stat after", run(lambda: sd(p)))
    for m in (0o6767, 0o2767, 0o2016):
        p = f"{d}/w{oct(m)}"
        mk(p, b"x", m)
        uchk(f"extra.write_kills_sgid_nogrpx_{oct(m)}", f"root file {oct(m)}; write by nobody", NOBODY, NOBODY,
             lambda: (lambda fd: (os.write(fd, b"y"), os.close(fd)))(os.open(p, os.O_WRONLY)) and None)
        out(f"extra.write_kills_sgid_nogrpx_{oct(m)}.mode", "stat after", run(lambda: sd(p)))

    def dirfd_after_rmdir():
        os.mkdir(d + "/rd")
        fd = os.open(d + "/rd", os.O_RDONLY)
        os.rmdir(d + "/rd")
        r = [nm + "=" + run(f) for nm, f in (("fstat", lambda: os.fstat(fd).st_nlink), ("getdents", lambda: os.listdir(fd)),
                                            ("fchmod", lambda: os.fchmod(fd, 0o700)), ("fsync", lambda: os.fsync(fd)))]
        os.close(fd)
        return " ".join(r)
    chk("extra.dirfd_after_rmdir", "open(dir); rmdir(dir); fstat/getdents/fchmod/fsync on fd", dirfd_after_rmdir)

    def cwd_after_rmdir():
        os.mkdir(d + "/cw")
        pid = os.fork()
        if pid == 0:
            os.chdir(d + "/cw")
            os.rmdir(d + "/cw")
            r = "stat(.)=" + run(lambda: os.stat(".").st_nlink) + " listdir(.)=" + run(lambda: os.listdir("."))
            with open(d + "/cwres", "w") as f:
                f.write(r)
            os._exit(0)
        os.waitpid(pid, 0)
        return open(d + "/cwres").read()
    chk("extra.cwd_after_rmdir", "chdir(dir); rmdir(dir); stat('.'); listdir('.')", cwd_after_rmdir)
    b = os.fsencode(d)
    chk("extra.nonutf8_distinct", "creat(b'\\xff',O_EXCL); creat(b'\\xfe',O_EXCL)",
        lambda: (openclose(b + b"/\xff", os.O_CREAT | os.O_EXCL | os.O_WRONLY), openclose(b + b"/\xfe", os.O_CREAT | os.O_EXCL | os.O_WRONLY))[1])
    chk("extra.nfc_nfd_distinct", "creat('caf\\u00e9',O_EXCL); creat('cafe\\u0301',O_EXCL)",
        lambda: (openclose(d + "/caf\u00e9", os.O_CREAT | os.O_EXCL | os.O_WRONLY), openclose(d + "/cafe\u0301", os.O_CREAT | os.O_EXCL | os.O_WRONLY))[1])
    chk("extra.readonly_cap_xattr", "setxattr(f,user.cairn.readcap)", lambda: (mk(d + "/cx"), os.setxattr(d + "/cx", "user.cairn.readcap", b"x"))[1])


def main():
    os.makedirs(D, exist_ok=True)
    os.chmod(D, 0o755)
    for s in SECTIONS:
        if ONLY and s.__name__[2:] not in ONLY:
            continue
        try:
            s()
        except Exception as e:  # noqa
            import traceback
            out(s.__name__, "SECTION CRASH", repr(e) + " " + traceback.format_exc().splitlines()[-2].strip())


main()
