"""Latency of durable small writes in one directory: each case runs --runs times after
--warmup runs and prints its median, fastest and slowest in ms.

  new      create a file, write --small bytes, fsync, close
  rewrite  pwrite 4 KiB into an existing --file-kib KiB file, then fsync
  datasync the same with fdatasync
  msync    store 4 KiB into a shared mapping of that file, then msync(MS_SYNC)

Usage: fsync_latency.py DIR [--runs 30] [--warmup 5] [--small 100] [--file-kib 1024]
Prints one line per case: "<case> <median> <min> <max>".
"""
import argparse
import mmap
import os
import statistics
import time


def timed(fn, runs, warmup):
    for i in range(warmup):
        fn(i)
    xs = []
    for i in range(warmup, warmup + runs):
        t = time.perf_counter()
        fn(i)
        xs.append((time.perf_counter() - t) * 1000)
    return statistics.median(xs), min(xs), max(xs)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--small", type=int, default=100)
    p.add_argument("--file-kib", type=int, default=1024)
    a = p.parse_args()
    d = os.path.join(a.dir, "fsync-latency")
    os.makedirs(d, exist_ok=True)
    size = a.file_kib << 10
    big = os.path.join(d, "file")
    fd = os.open(big, os.O_RDWR | os.O_CREAT, 0o644)
    os.write(fd, os.urandom(size))
    os.fsync(fd)
    page = 4096

    def new(i):
        f = os.open(os.path.join(d, f"new-{i}"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(f, os.urandom(a.small))
        os.fsync(f)
        os.close(f)

    def rewrite(i):
        os.pwrite(fd, os.urandom(page), (i * 2 * page) % size)
        os.fsync(fd)

    def datasync(i):
        os.pwrite(fd, os.urandom(page), (i * 2 * page + page) % size)
        os.fdatasync(fd)

    m = mmap.mmap(fd, size)

    def msync(i):
        off = (i * 3 * page) % size
        m[off:off + page] = os.urandom(page)
        m.flush()  # msync(MS_SYNC)

    for name, fn in (("new", new), ("rewrite", rewrite), ("datasync", datasync),
                     ("msync", msync)):
        med, lo, hi = timed(fn, a.runs, a.warmup)
        print(f"{name} {med:.2f} {lo:.2f} {hi:.2f}", flush=True)
    m.close()
    os.close(fd)


if __name__ == "__main__":
    main()
