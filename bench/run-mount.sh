#!/usr/bin/env bash
# The mount beside a plain local directory and a bindfs passthrough (this machine's FUSE
# ceiling), in one run, through a `cairn demo` grid (10 servers, 3-of-10, in one process):
#   seq write + sync, cold and warm seq read    (--seq-mib, default 1024); the demo's first
#                                                write of that size is its own row (cold JIT)
#   demo process heap while writing a big file  (--big-mib, default 4096; jstat samples)
#   cp -r of many small files, then until synced (--files 1000 --file-kib 4)
#   fio randwrite 4 KiB into a file, then sync   (--fio-mib 1024 --fio-secs 30): IOPS and bytes
#                                                the servers stored per byte written
#   git clone of a local repository, ls -lR     (--repo-files 1000)
# and prints each figure and its ratio to bindfs.
# Cold read: writing /proc/sys/vm/drop_caches does nothing on some VMs, so before the cold read
# the file is also evicted from the page cache by name (posix_fadvise DONTNEED through
# `dd iflag=nocache count=0`, after a sync): local its file; bindfs the source file and the
# file seen through bindfs (FUSE keeps pages of its own); cairn the file through a second mount
# with a fresh cache dir (nothing in the kernel or the mount's caches) and every share file of
# the demo's storage servers, so all three read from the disk; that mount's process first reads
# another file (its JIT and connections warm, reported as "first read of a new mount process").
# Warm read: the same dd again.
# Needs root (drop_caches, bindfs as root),
# bindfs, fio, git, jstat; scratch space under --dir of about 3 x seq + big x 3.3 + fio x 4.4.
# Usage: bench/run-mount.sh [--dir /var/tmp] [--seq-mib 1024] [--big-mib 4096] [--files 1000]
#          [--file-kib 4] [--fio-mib 1024] [--fio-secs 30] [--repo-files 1000]
# Smoke: bench/run-mount.sh --seq-mib 16 --big-mib 32 --files 50 --fio-mib 16 --fio-secs 3 --repo-files 50
# CAIRN names the command to run instead of ./cairn (it must exec a single JVM).
set -euo pipefail
cd "$(dirname "$0")/.."
cairn=${CAIRN:-./cairn}
root_dir=/var/tmp seq_mib=1024 big_mib=4096 files=1000 file_kib=4 fio_mib=1024 fio_secs=30
repo_files=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) root_dir=$2 ;; --seq-mib) seq_mib=$2 ;; --big-mib) big_mib=$2 ;;
    --files) files=$2 ;; --file-kib) file_kib=$2 ;; --fio-mib) fio_mib=$2 ;;
    --fio-secs) fio_secs=$2 ;; --repo-files) repo_files=$2 ;;
    *) echo "unknown option $1 (see the head of $0)" >&2; exit 64 ;;
  esac
  shift 2
done
for tool in bindfs fio git jstat python3; do
  command -v "$tool" >/dev/null || { echo "run-mount: $tool is missing (apt-get install bindfs fio git; jstat comes with the JDK)" >&2; exit 69; }
done
[ "$(id -u)" = 0 ] || { echo "run-mount: run as root (drop_caches)" >&2; exit 77; }

work=$(mktemp -d "$root_dir/cairn-bench-mount.XXXXXX")
demo_pid='' mounts=()
cleanup() {
  for m in "${mounts[@]}"; do fusermount -u "$m" 2>/dev/null || fusermount -uz "$m" 2>/dev/null || true; done
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
    $cairn unmount "$work/cairn" >/dev/null 2>&1 || true
    kill -INT "$demo_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$demo_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.3f}')"; }
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }
evict() { # drop these files' pages from the page cache (see the head)
  sync
  for f in "$@"; do dd if="$f" iflag=nocache count=0 status=none; done
}

# ---- the three targets
mkdir -p "$work/local" "$work/bindfs-src" "$work/bindfs" "$work/cairn" "$work/src"
bindfs "$work/bindfs-src" "$work/bindfs"; mounts+=("$work/bindfs")
echo "starting cairn demo (state in $work/demo)..."
$cairn demo --dir "$work/demo" "$work/cairn" > "$work/demo.log" 2>&1 &
launcher=$!
for _ in $(seq 1 240); do
  grep -q "mounted $work/cairn" "$work/demo.log" && break
  kill -0 "$launcher" 2>/dev/null || { cat "$work/demo.log"; exit 1; }
  sleep 0.5
done
grep -q "mounted $work/cairn" "$work/demo.log" || { cat "$work/demo.log"; exit 1; }
mounts+=("$work/cairn")
demo_pid=$launcher  # the launcher execs java
node=$(grep -o -- '--node [^ ]*' "$work/demo.log" | head -1 | cut -d' ' -f2)
targets=(local bindfs cairn)
declare -A dir=([local]="$work/local" [bindfs]="$work/bindfs" [cairn]="$work/cairn")
declare -A fig
settle() { # everything on disk / on the grid
  if [ "$1" = cairn ]; then $cairn sync "$work/cairn" >/dev/null; else sync -f "${dir[$1]}"; fi
}
evict_demo() { # every file of the demo grid (share files) out of the page cache
  find "$work/demo" -type f -print0 | xargs -0 -r -n 256 bash -c \
    'for f; do dd if="$f" iflag=nocache count=0 status=none 2>/dev/null || true; done' _
}
stored() { du -sb "$work"/demo/storage-* 2>/dev/null | awk '{s += $1} END {print s + 0}'; }

# ---- sources, generated once (random: convergent encryption would merge repeated chunks)
head -c $((seq_mib << 20)) /dev/urandom > "$work/src/seq"
head -c $((seq_mib << 20)) /dev/urandom > "$work/src/prime"
for i in $(seq 1 "$files"); do head -c $((file_kib << 10)) /dev/urandom > "$work/src/small-$i"; done 2>/dev/null
mkdir -p "$work/src/small" && mv "$work/src"/small-* "$work/src/small/"
mkdir -p "$work/src/repo" && (
  cd "$work/src/repo" && git init -q
  for i in $(seq 1 "$repo_files"); do
    d="dir$((i % 20))"; mkdir -p "$d"
    head -c $(( (i * 7919) % 16384 + 100 )) /dev/urandom | base64 > "$d/file$i.txt"
  done
  git add -A && git -c user.name=bench -c user.email=bench@example.org commit -q -m bench)

for t in "${targets[@]}"; do
  d=${dir[$t]}
  echo "== $t"
  # cairn: the demo's first write pays its JIT (about 40 s of CPU on 2 cores), reported as "first
  # write of a new demo process"; the write row proper is the second write of the same size
  if [ "$t" = cairn ]; then
    drop_caches
    t0=$(now); dd if="$work/src/prime" of="$d/prime" bs=1M status=none; settle cairn; t1=$(now)
    fig[$t.fresh_write]=$(python3 -c "print(f'{$seq_mib / ($t1 - $t0):.1f}')")
  fi
  # sequential write, return and sync
  drop_caches
  t0=$(now); dd if="$work/src/seq" of="$d/seq" bs=1M status=none; t1=$(now); settle "$t"; t2=$(now)
  fig[$t.write]=$(python3 -c "print(f'{$seq_mib / ($t2 - $t0):.1f}')")
  fig[$t.write_return]=$(python3 -c "print(f'{$seq_mib / ($t1 - $t0):.1f}')")
  # cold read (cairn: a second mount of the same root with a fresh cache, so from the grid).
  # Its process is new: its first read pays the JIT and the servers' TLS handshakes, reported
  # as "new mount process" on another file of the same size (random, so no chunk is shared);
  # the cold read proper comes after that, with every cache of the file and its shares cold.
  read_dir=$d
  if [ "$t" = cairn ]; then
    cap=$(python3 -c "import os, sys; print(os.getxattr(sys.argv[1], 'user.cairn.readcap').decode())" "$d" 2>/dev/null || true)
    if [ -n "$cap" ]; then
      mkdir -p "$work/cairn-cold"
      $cairn mount --node "$node" --root "$cap" --cache-dir "$work/cold-cache" "$work/cairn-cold" >/dev/null
      mounts+=("$work/cairn-cold"); read_dir="$work/cairn-cold"
      drop_caches; evict_demo
      t0=$(now); dd if="$read_dir/prime" of=/dev/null bs=1M status=none; t1=$(now)
      fig[$t.fresh_read]=$(python3 -c "print(f'{$seq_mib / ($t1 - $t0):.1f}')")
    fi
    rm -f "$d/prime"
  fi
  drop_caches
  case $t in
    local) evict "$d/seq" ;;
    bindfs) evict "$work/bindfs-src/seq" "$d/seq" ;;
    cairn) evict "$read_dir/seq"; evict_demo ;;
  esac
  t0=$(now); dd if="$read_dir/seq" of=/dev/null bs=1M status=none; t1=$(now)
  fig[$t.cold_read]=$(python3 -c "print(f'{$seq_mib / ($t1 - $t0):.1f}')")
  t0=$(now); dd if="$read_dir/seq" of=/dev/null bs=1M status=none; t1=$(now)
  fig[$t.warm_read]=$(python3 -c "print(f'{$seq_mib / ($t1 - $t0):.1f}')")
  cmp -s "$work/src/seq" "$read_dir/seq" || echo "!! $t: $read_dir/seq differs from its source"
  rm -f "$d/seq"
  # cp -r of small files: time to return, then until settled
  t0=$(now); cp -r "$work/src/small" "$d/small"; t1=$(now); settle "$t"; t2=$(now)
  fig[$t.cp_return]=$(secs "$t0" "$t1"); fig[$t.cp_synced]=$(secs "$t0" "$t2")
  # fio randwrite 4 KiB, then sync
  head -c $((fio_mib << 20)) /dev/urandom > "$d/fio"; settle "$t"
  before=$(stored)
  fio --name=randwrite --filename="$d/fio" --rw=randwrite --bs=4k --size="${fio_mib}M" \
    --runtime="$fio_secs" --time_based --ioengine=psync --output-format=json > "$work/fio-$t.json"
  settle "$t"
  after=$(stored)
  read -r iops written < <(python3 -c "import json,sys; j=json.load(open('$work/fio-$t.json'))['jobs'][0]['write']; print(f\"{j['iops']:.0f} {j['io_bytes']}\")")
  fig[$t.fio_iops]=$iops
  if [ "$t" = cairn ]; then
    fig[$t.fio_upload_per_byte]=$(python3 -c "print(f'{($after - $before) / max(1, $written):.2f}')")
  fi
  rm -f "$d/fio"
  # git clone of a local repository, ls -lR
  t0=$(now); git clone -q "$work/src/repo" "$d/clone"; t1=$(now)
  ls -lR "$d/clone" > /dev/null; t2=$(now)
  fig[$t.clone]=$(secs "$t0" "$t1"); fig[$t.ls]=$(secs "$t1" "$t2")
done

# ---- demo process heap while writing a big file (sampled every 0.5 s by jstat)
jstat -gc "$demo_pid" 500 > "$work/jstat.txt" &
jstat_pid=$!
head -c $((big_mib << 20)) /dev/urandom | dd of="$work/cairn/big" bs=1M status=none
$cairn sync "$work/cairn" >/dev/null
kill "$jstat_pid" 2>/dev/null || true
heap=$(awk 'NR > 1 && $1 ~ /^[0-9.]+$/ {u = $3 + $4 + $6 + $8; if (u > m) m = u; n++}
  END {printf "%.0f MiB max over %d samples", m / 1024, n}' "$work/jstat.txt")
rm -f "$work/cairn/big"

# ---- figures
printf '\n%-34s %12s %12s %12s %10s\n' figure local bindfs cairn cairn/bindfs
row() { # name key unit
  local l=${fig[local.$2]:-} b=${fig[bindfs.$2]:-} c=${fig[cairn.$2]:-}
  local r; r=$(awk -v b="$b" -v c="$c" 'BEGIN {if (b + 0 > 0 && c != "") printf "%.2f", c / b}')
  printf '%-34s %12s %12s %12s %10s\n' "$1 ($3)" "$l" "$b" "$c" "$r"
}
row "seq write + sync, $seq_mib MiB" write MiB/s
row "seq write (returned), $seq_mib MiB" write_return MiB/s
row "  first write + sync of a new demo" fresh_write MiB/s
row "cold seq read, $seq_mib MiB" cold_read MiB/s
row "  first read of a new mount process" fresh_read MiB/s
row "warm seq read, $seq_mib MiB" warm_read MiB/s
row "cp -r $files x $file_kib KiB, returned" cp_return s
row "cp -r $files x $file_kib KiB, synced" cp_synced s
row "fio randwrite 4k ${fio_secs}s" fio_iops IOPS
row "git clone, $repo_files files" clone s
row "ls -lR of the clone" ls s
echo "fio: bytes the grid stored per byte written (3-of-10 shares): ${fig[cairn.fio_upload_per_byte]:-n/a}"
echo "demo process heap while writing $big_mib MiB: $heap (its limit: $(grep -o -- "^-Xmx[0-9a-zA-Z]*" cli/jvm.options || echo "the JVM default"))"
# the servers store and sync 10/3 of every byte written (3-of-10 shares) on the same disk
awk -v l="${fig[local.write]:-0}" -v b="${fig[bindfs.write]:-0}" 'BEGIN {if (l > 0 && b > 0)
  printf "disk bound: the grid stores 10/3 of each byte on this disk, so its write + sync cannot pass 3/10 of local (%.1f MiB/s) = %.2f of bindfs\n", l * 0.3, l * 0.3 / b}'
