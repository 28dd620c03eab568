#!/usr/bin/env python3
"""Concurrent random operations on a mount (fsstress-like), with a per-worker content oracle.

usage: stress.py ROOT WORKERS OPS SEED     (ROOT must be new; prints "seed N: ok" or the failure)
       stress.py digest ROOT               (names, kinds, modes, SHA-256 of a tree, as JSON)
       stress.py verify ROOT WORKERS DIR   (after a crash: each worker's files as its model in DIR)
Each worker owns ROOT/wN (an exact model of its files' bytes and user xattrs, checked on every
read) and shares ROOT/shared with the others (namespace races: only errnos are checked there).
By hand, as in docs/testing.md; not part of the test command.
"""
import errno, os, random, signal, sys, time, hashlib

ALLOWED = {errno.ENOENT, errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EISDIR,
           errno.EINVAL, errno.EPERM, errno.ELOOP, errno.EXDEV, errno.EBUSY}
NAMES = ["a", "b", "c", "d", "e"]


def rpath(rnd, base, depth=3):
    return os.path.join(base, *[rnd.choice(NAMES) for _ in range(rnd.randint(1, depth))])


class Bad(Exception):
    pass


def alarm(sig, frame):
    raise Bad("operation took over 60 s (hang?)")


def worker(root, wid, ops, seed):
    rnd = random.Random(seed * 1000 + wid)
    own = os.path.join(root, "w%d" % wid)
    shared = os.path.join(root, "shared")
    os.makedirs(own, exist_ok=True)
    os.makedirs(shared, exist_ok=True)
    model = {}  # own file name -> bytearray
    signal.signal(signal.SIGALRM, alarm)
    log = []
    for step in range(ops):
        signal.alarm(60)
        k = rnd.randrange(100)
        try:
            if k < 45:
                own_step(rnd, own, model, log)
            else:
                shared_step(rnd, shared, log)
        except Bad as e:
            print("worker %d step %d: %s\nlast: %s" % (wid, step, e, log[-8:]), flush=True)
            return 1
        finally:
            signal.alarm(0)
    # final check of every own file
    for name, data in model.items():
        with open(os.path.join(own, name), "rb") as f:
            got = f.read()
        if got != bytes(data):
            print("worker %d final: %s differs (len %d vs %d)" % (wid, name, len(got), len(data)))
            return 1
    import json
    with open(os.path.join(os.path.dirname(root.rstrip("/")), "model-%s-%d.json" % (os.path.basename(root.rstrip("/")), wid)), "w") as f:
        json.dump({n: [hashlib.sha256(bytes(d)).hexdigest(), {k: v.hex() for k, v in xattrs.get(n, {}).items()}] for n, d in model.items()}, f)
    names = sorted(n for n in os.listdir(own))
    if names != sorted(model):
        print("worker %d final listing %s vs model %s" % (wid, names, sorted(model)))
        return 1
    return 0


xattrs = {}


def own_step(rnd, own, model, log):
    name = rnd.choice(NAMES) + rnd.choice(NAMES)
    p = os.path.join(own, name)
    k = rnd.randrange(100)
    if k < 35:  # pwrite (maybe append, maybe fsync)
        off = rnd.randrange(300_000) if rnd.random() < 0.2 else rnd.randrange(5000)
        n = rnd.randrange(150_000) if rnd.random() < 0.2 else rnd.randrange(4000)
        data = os.urandom(n)
        append = rnd.random() < 0.15
        log.append(("write", name, off, n, append))
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else 0), 0o644)
        try:
            if append:
                os.write(fd, data)
            else:
                os.pwrite(fd, data, off)
            if rnd.random() < 0.1:
                os.fsync(fd)
        finally:
            os.close(fd)
        if name not in model:
            xattrs[name] = {}
        cur = model.setdefault(name, bytearray())
        at = len(cur) if append else off
        if len(cur) < at:
            cur.extend(b"\0" * (at - len(cur)))
        cur[at:at + n] = data
    elif k < 50:  # truncate
        size = rnd.randrange(200_000) if rnd.random() < 0.3 else rnd.randrange(6000)
        log.append(("truncate", name, size))
        try:
            os.truncate(p, size)
        except FileNotFoundError:
            if name in model:
                raise Bad("truncate: %s vanished" % name)
            return
        cur = model[name]
        if len(cur) > size:
            del cur[size:]
        else:
            cur.extend(b"\0" * (size - len(cur)))
    elif k < 70:  # read and compare, whole or a range
        log.append(("read", name))
        try:
            with open(p, "rb") as f:
                if rnd.random() < 0.5:
                    got = f.read()
                    want = bytes(model.get(name, b""))
                else:
                    off = rnd.randrange(max(1, len(model.get(name, b"")) + 10))
                    f.seek(off)
                    got = f.read(rnd.randrange(70_000))
                    want = bytes(model.get(name, b"")[off:off + len(got)])
                    if len(got) < min(70_000, max(0, len(model.get(name, b"")) - off)) and \
                            len(got) != len(model.get(name, b"")[off:off + 70_000]):
                        pass
        except FileNotFoundError:
            if name in model:
                raise Bad("read: %s vanished" % name)
            return
        if name not in model:
            raise Bad("read: %s exists but should not" % name)
        if got != want:
            raise Bad("read %s: content differs (got %d bytes, want %d)" % (name, len(got), len(want)))
        st = os.stat(p)
        if st.st_size != len(model[name]):
            raise Bad("stat %s: size %d, want %d" % (name, st.st_size, len(model[name])))
    elif k < 80:  # rename within own
        other = rnd.choice(NAMES) + rnd.choice(NAMES)
        q = os.path.join(own, other)
        log.append(("rename", name, other))
        try:
            os.rename(p, q)
        except FileNotFoundError:
            if name in model:
                raise Bad("rename: %s vanished" % name)
            return
        if name not in model:
            raise Bad("rename: %s existed but should not" % name)
        if name != other:
            model[other] = model.pop(name)
            xattrs[other] = xattrs.pop(name, {})
    elif k < 88:  # unlink
        log.append(("unlink", name))
        try:
            os.unlink(p)
        except FileNotFoundError:
            if name in model:
                raise Bad("unlink: %s vanished" % name)
            return
        if name not in model:
            raise Bad("unlink: %s existed but should not" % name)
        del model[name]
        xattrs.pop(name, None)
    elif k < 94:  # open, unlink while open, keep writing and reading through the handle
        log.append(("unlinked-open", name))
        fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            data = os.urandom(rnd.randrange(10_000))
            os.pwrite(fd, data, 0)
            os.unlink(p)
            model.pop(name, None)
            xattrs.pop(name, None)
            os.pwrite(fd, b"tail", len(data))
            got = os.pread(fd, len(data) + 4, 0)
            if got != data + b"tail":
                raise Bad("unlinked open file reads wrong")
        finally:
            os.close(fd)
    elif k < 97 and name in model:  # user xattrs kept with the file
        xs = xattrs.setdefault(name, {})
        key = "user.k" + rnd.choice("xyz")
        if rnd.random() < 0.6:
            val = os.urandom(rnd.randrange(1, 200))
            log.append(("setxattr", name, key))
            os.setxattr(p, key, val)
            xs[key] = val
        else:
            log.append(("removexattr", name, key))
            try:
                os.removexattr(p, key)
                if key not in xs:
                    raise Bad("removexattr %s %s succeeded, was not set" % (name, key))
                del xs[key]
            except OSError as e:
                if e.errno != errno.ENODATA or key in xs:
                    raise Bad("removexattr %s %s: %s" % (name, key, e))
        got = {k: os.getxattr(p, k) for k in os.listxattr(p) if k.startswith("user.k")}
        if got != xs:
            raise Bad("xattrs of %s: %s, want %s" % (name, sorted(got), sorted(xs)))
    else:  # ftruncate through an O_TRUNC open then write
        log.append(("otrunc", name))
        data = os.urandom(rnd.randrange(3000))
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        if name not in model:
            xattrs[name] = {}
        model[name] = bytearray(data)


def shared_step(rnd, shared, log):
    p = rpath(rnd, shared)
    q = rpath(rnd, shared)
    k = rnd.randrange(100)
    try:
        if k < 20:
            log.append(("s-write", p))
            fd = os.open(p, os.O_WRONLY | os.O_CREAT, 0o644)
            try:
                os.pwrite(fd, os.urandom(rnd.randrange(20_000)), rnd.randrange(20_000))
            finally:
                os.close(fd)
        elif k < 35:
            log.append(("s-mkdir", p))
            os.mkdir(p)
        elif k < 45:
            log.append(("s-rmdir", p))
            os.rmdir(p)
        elif k < 55:
            log.append(("s-unlink", p))
            os.unlink(p)
        elif k < 75:
            log.append(("s-rename", p, q))
            os.rename(p, q)
        elif k < 85:
            log.append(("s-list", p))
            for n in os.listdir(p):
                try:
                    os.lstat(os.path.join(p, n))
                except FileNotFoundError:
                    pass  # removed by another worker in between
        elif k < 90:
            log.append(("s-symlink", p))
            os.symlink("target-" + rnd.choice(NAMES), p)
        elif k < 95:
            log.append(("s-read", p))
            with open(p, "rb") as f:
                f.read()
        else:
            log.append(("s-chmod", p))
            os.chmod(p, rnd.choice([0o644, 0o600, 0o755]))
    except OSError as e:
        if e.errno not in ALLOWED:
            raise Bad("%s: unexpected %s" % (log[-1], errno.errorcode.get(e.errno, e.errno)))


def tree_digest(root):
    out = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for n in sorted(files):
            p = os.path.join(d, n)
            st = os.lstat(p)
            if os.path.islink(p):
                out.append((os.path.relpath(p, root), "l", os.readlink(p)))
            else:
                with open(p, "rb") as f:
                    out.append((os.path.relpath(p, root), "f", oct(st.st_mode & 0o7777),
                                hashlib.sha256(f.read()).hexdigest()))
        for n in sorted(dirs):
            out.append((os.path.relpath(os.path.join(d, n), root), "d"))
    return out


if __name__ == "__main__":
    if sys.argv[1] == "verify":  # verify ROOT WORKERS MODELDIR: own files as the models say
        import json
        root, workers = sys.argv[2], int(sys.argv[3])
        bad = 0
        for w in range(workers):
            with open(os.path.join(sys.argv[4], "model-%s-%d.json" % (os.path.basename(root.rstrip("/")), w))) as f:
                m = json.load(f)
            own = os.path.join(root, "w%d" % w)
            if sorted(os.listdir(own)) != sorted(m):
                print("w%d: names %s vs %s" % (w, sorted(os.listdir(own)), sorted(m))); bad = 1
            for n, (h, xs) in m.items():
                p = os.path.join(own, n)
                with open(p, "rb") as f:
                    if hashlib.sha256(f.read()).hexdigest() != h:
                        print("w%d/%s: content differs" % (w, n)); bad = 1
                got = {k: os.getxattr(p, k).hex() for k in os.listxattr(p) if k.startswith("user.k")}
                if got != xs:
                    print("w%d/%s: xattrs differ" % (w, n)); bad = 1
        print("verify %s: %s" % (root, "FAILED" if bad else "ok"))
        sys.exit(bad)
    if sys.argv[1] == "digest":
        import json
        print(json.dumps(tree_digest(sys.argv[2])))
        sys.exit(0)
    root, workers, ops, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    os.makedirs(root, exist_ok=True)
    pids = []
    for w in range(workers):
        pid = os.fork()
        if pid == 0:
            os._exit(worker(root, w, ops, seed))
        pids.append(pid)
    bad = 0
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        bad |= os.waitstatus_to_exitcode(status) != 0
    print("seed %d: %s" % (seed, "FAILED" if bad else "ok"))
    sys.exit(1 if bad else 0)
