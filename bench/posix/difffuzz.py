#!/usr/bin/env python3
"""Differential namespace/data fuzzer: the same random operations in REF (ext4) and MNT, one process,
comparing each call's outcome (errno or value) and, every 50 steps and at the end, a digest of both trees.
usage: difffuzz.py REF MNT SEED OPS      (REF and MNT are created fresh as REF/fz-SEED, MNT/fz-SEED)"""
import errno, hashlib, os, random, shutil, stat, sys

ref, mnt, seed, N = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
R = os.path.join(ref, "fz-%d" % seed); M = os.path.join(mnt, "fz-%d" % seed)
for p in (R, M):
    if os.path.lexists(p):
        shutil.rmtree(p)
    os.mkdir(p)
rng = random.Random(seed)
NAMES = ["a", "b", "c", "dd"]


def rp():
    return "/".join(rng.choice(NAMES) for _ in range(rng.randint(1, 3)))


def outcome(fn):
    try:
        v = fn()
        return ("ok", v)
    except OSError as e:
        return (errno.errorcode.get(e.errno, e.errno),)


open_fds = {}  # slot -> (fd_ref, fd_mnt)


def digest(root):
    out = []
    for dp, dns, fns in os.walk(root):
        dns.sort()
        for n in sorted(dns + fns):
            p = os.path.join(dp, n); st = os.lstat(p); rel = os.path.relpath(p, root)
            e = [rel, stat.S_IFMT(st.st_mode), oct(stat.S_IMODE(st.st_mode))]
            if stat.S_ISREG(st.st_mode):
                e += [st.st_size, hashlib.sha256(open(p, "rb").read()).hexdigest()[:12], st.st_nlink]
                e += [sorted((k, os.getxattr(p, k)) for k in os.listxattr(p) if not k.startswith("user.cairn"))]
            elif stat.S_ISLNK(st.st_mode):
                e += [os.readlink(p)]
            elif stat.S_ISDIR(st.st_mode):
                e += [st.st_nlink, sorted((k, os.getxattr(p, k)) for k in os.listxattr(p) if not k.startswith("user.cairn"))]
            out.append(e)
    return out


def op_pair():
    k = rng.randrange(100)
    a, b = rp(), rp()
    mode = rng.choice([0o644, 0o600, 0o755, 0o4755, 0o1777, 0o000])
    data = os.urandom(rng.choice([0, 1, 100, 5000, 70000]))
    off = rng.choice([0, 1, 4095, 4096, 100000])
    sz = rng.choice([0, 3, 4096, 10000, 1 << 20])
    xn = "user." + rng.choice(["x", "y"])
    if k < 12:
        return f"mkdir {a}", lambda r: os.mkdir(os.path.join(r, a), 0o755)
    if k < 18:
        return f"rmdir {a}", lambda r: os.rmdir(os.path.join(r, a))
    if k < 28:
        fl = rng.choice([os.O_CREAT | os.O_WRONLY, os.O_CREAT | os.O_EXCL | os.O_WRONLY, os.O_CREAT | os.O_TRUNC | os.O_RDWR, os.O_RDONLY, os.O_WRONLY | os.O_APPEND, os.O_RDONLY | os.O_DIRECTORY, os.O_WRONLY | os.O_NOFOLLOW])
        def f(r):
            fd = os.open(os.path.join(r, a), fl, 0o644)
            try:
                if fl & (os.O_WRONLY | os.O_RDWR):
                    os.write(fd, data)
                return os.fstat(fd).st_size
            finally:
                os.close(fd)
        return f"open {a} {fl:o} write {len(data)}", f
    if k < 36:
        return f"unlink {a}", lambda r: os.unlink(os.path.join(r, a))
    if k < 52:
        return f"rename {a} {b}", lambda r: os.rename(os.path.join(r, a), os.path.join(r, b))
    if k < 56:
        tgt = rng.choice([b, "../" + b, "nonexistent", "x" * 300])
        return f"symlink {tgt} {a}", lambda r: os.symlink(tgt, os.path.join(r, a))
    if k < 60:
        return f"chmod {a} {mode:o}", lambda r: os.chmod(os.path.join(r, a), mode)
    if k < 65:
        return f"truncate {a} {sz}", lambda r: os.truncate(os.path.join(r, a), sz)
    if k < 72:
        def f(r):
            fd = os.open(os.path.join(r, a), os.O_WRONLY)
            try:
                return os.pwrite(fd, data, off)
            finally:
                os.close(fd)
        return f"pwrite {a} {off} {len(data)}", f
    if k < 76:
        fl = rng.choice([0, os.XATTR_CREATE, os.XATTR_REPLACE])
        return f"setxattr {a} {xn} {fl}", lambda r: os.setxattr(os.path.join(r, a), xn, data[:100], fl)
    if k < 79:
        return f"removexattr {a} {xn}", lambda r: os.removexattr(os.path.join(r, a), xn)
    if k < 83:
        return f"getxattr {a} {xn}", lambda r: os.getxattr(os.path.join(r, a), xn)
    if k < 88:
        return f"listdir {a}", lambda r: sorted(os.listdir(os.path.join(r, a)))
    if k < 93:
        def f(r):
            st = os.lstat(os.path.join(r, a))
            return (stat.S_IFMT(st.st_mode), oct(stat.S_IMODE(st.st_mode)), st.st_size if not stat.S_ISDIR(st.st_mode) else None, st.st_nlink)
        return f"lstat {a}", f
    if k < 95:
        return f"readlink {a}", lambda r: os.readlink(os.path.join(r, a))
    if k < 97:
        def f(r):
            with open(os.path.join(r, a), "rb") as fh:
                return hashlib.sha256(fh.read()).hexdigest()[:12]
        return f"read {a}", f
    # open-fd juggling: open a file in both and keep it, or write/close a kept one
    slot = rng.randrange(3)
    if slot in open_fds:
        fr, fm = open_fds.pop(slot)
        def f(r, fr=fr, fm=fm):
            fd = fr if r == R else fm
            try:
                os.pwrite(fd, b"late", 2)
                return os.fstat(fd).st_size
            finally:
                os.close(fd)
        return f"late write+close slot{slot}", f
    def f(r):
        fd = os.open(os.path.join(r, a), os.O_RDWR)
        holder.append(fd)
        return "opened"
    return f"keep-open {a} slot{slot}", f


holder = []
diffs = 0
hist = []
for i in range(N):
    desc, fn = op_pair()
    holder.clear()
    o1 = outcome(lambda: fn(R))
    h1 = list(holder); holder.clear()
    o2 = outcome(lambda: fn(M))
    h2 = list(holder); holder.clear()
    if h1 or h2:
        if h1 and h2:
            slot = int(desc.split("slot")[1]); open_fds[slot] = (h1[0], h2[0])
        else:
            for fd in h1 + h2:
                os.close(fd)
    hist.append(f"{i}: {desc} -> {o1}" + ("" if o1 == o2 else f" MNT {o2}"))
    if o1 != o2:
        diffs += 1
        print(f"step {i}: {desc}: ref={o1} mnt={o2}", flush=True)
        if os.environ.get("HIST"):
            for j, h in enumerate(hist[-int(os.environ["HIST"]):]): print("    ", h)
            break
        if diffs > 15:
            break
    if i % 50 == 49 or i == N - 1:
        d1, d2 = digest(R), digest(M)
        if d1 != d2:
            s1, s2 = {repr(x) for x in d1}, {repr(x) for x in d2}
            print(f"step {i}: TREE DIFF ref-only={sorted(s1 - s2)[:5]} mnt-only={sorted(s2 - s1)[:5]}", flush=True)
            print("   last ops:", hist[-8:])
            diffs += 1
            break
for fr, fm in open_fds.values():
    os.close(fr); os.close(fm)
print(f"seed {seed}: {N} ops, {diffs} differences", flush=True)
