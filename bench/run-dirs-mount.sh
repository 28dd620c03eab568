#!/usr/bin/env bash
# Directories through the mount (issue 9): `touch` of one new file in a directory of ENTRIES
# entries, and `cp -r` of FILES small files into one new directory, through a `cairn demo`
# mount (FUSE, write-back journal; then `cairn sync` until the grid has it) beside the same on
# plain disk. The big directory is filled beforehand with `cairn cp -r` (one batched publish).
# Usage: bench/run-dirs-mount.sh [--entries 100000] [--files 10000] [--file-bytes 1024]
#                                [--runs 5] [--dir /tmp/cairn-dirs-mount]
# Smoke run: bench/run-dirs-mount.sh --entries 2000 --files 200 --runs 2
# Needs /dev/fuse, libfuse2 and fusermount. Time it only on an otherwise idle machine (`uptime`).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
entries=100000 files=10000 file_bytes=1024 runs=5 dir=/tmp/cairn-dirs-mount
while [ $# -gt 0 ]; do
  case "$1" in
    --entries) entries="$2"; shift 2 ;;
    --files) files="$2"; shift 2 ;;
    --file-bytes) file_bytes="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "usage: $0 [--entries N] [--files N] [--file-bytes N] [--runs N] [--dir DIR]" >&2
       exit 64 ;;
  esac
done
for n in "$entries" "$files" "$file_bytes" "$runs"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "$0: not a positive number: $n" >&2; exit 64; }
done
cairn="$root/cairn"
rm -rf "$dir"
mkdir -p "$dir/src/big" "$dir/src/small" "$dir/disk" "$dir/mnt"
state="$dir/state" mnt="$dir/mnt" disk="$dir/disk" log="$dir/demo.log"
node=(--node "$state/client")
demo_pid=""
cleanup() {
  if mountpoint -q "$mnt" 2>/dev/null; then
    "$cairn" unmount "$mnt" >/dev/null 2>&1 || fusermount -uz "$mnt" 2>/dev/null || true
  fi
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
    kill -INT "$demo_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$demo_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "preparing $entries empty files and $files files of $file_bytes bytes in $dir/src" >&2
(cd "$dir/src/big" && seq -f 'e%07g' 0 $((entries - 1)) | xargs touch)
head -c $((files * file_bytes)) /dev/urandom > "$dir/src/blob"
(cd "$dir/src/small" && split -a 6 -d -b "$file_bytes" "$dir/src/blob" f)
rm "$dir/src/blob"

"$cairn" demo --dir "$state" "$mnt" >"$log" 2>&1 &
demo_pid=$!
for _ in $(seq 1 240); do
  grep -q "mounted $mnt" "$log" 2>/dev/null && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.5
done
grep -q "mounted $mnt" "$log" || { echo "the demo did not mount in 120 s" >&2; cat "$log" >&2; exit 1; }

t=$(now_ns)
"$cairn" cp -r "${node[@]}" "$dir/src/big" root: >/dev/null
fill_ms=$(ms_since "$t")
cp -r "$dir/src/big" "$disk/big"
sleep 4 # the mount re-reads a directory listed more than 3 s ago (MountConfig directory TTL)
listed=$(ls "$mnt/big" | wc -l)
[ "$listed" -eq "$entries" ] || { echo "the mount lists $listed of $entries entries" >&2; exit 1; }

touch_mount=() sync_mount=() touch_disk=()
for i in $(seq 1 "$runs"); do
  t=$(now_ns); touch "$mnt/big/new-$i"; touch_mount+=("$(ms_since "$t")")
  t=$(now_ns); "$cairn" sync "$mnt" >/dev/null; sync_mount+=("$(ms_since "$t")")
  t=$(now_ns); touch "$disk/big/new-$i"; sync "$disk/big/new-$i"; touch_disk+=("$(ms_since "$t")")
done

t=$(now_ns); cp -r "$dir/src/small" "$mnt/small"; cp_mount=$(ms_since "$t")
t=$(now_ns); "$cairn" sync "$mnt" >/dev/null; cp_sync=$(ms_since "$t")
t=$(now_ns); cp -r "$dir/src/small" "$disk/small"; sync -f "$disk/small"; cp_disk=$(ms_since "$t")
copied=$(ls "$mnt/small" | wc -l)
[ "$copied" -eq "$files" ] || { echo "the mount lists $copied of $files copied files" >&2; exit 1; }
diff -r "$dir/src/small" "$mnt/small" >/dev/null || { echo "the copy differs" >&2; exit 1; }

m_touch=$(printf '%s\n' "${touch_mount[@]}" | median)
m_sync=$(printf '%s\n' "${sync_mount[@]}" | median)
m_disk=$(printf '%s\n' "${touch_disk[@]}" | median)
cat <<EOF
# directories through the mount: $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)
fill of $entries entries with cairn cp -r: $fill_ms ms
| operation | mount ms | then cairn sync ms | plain disk ms (with sync) |
|---|---:|---:|---:|
| touch 1 file in a $entries-entry directory (median of $runs) | $m_touch | $m_sync | $m_disk |
| cp -r of $files files of $file_bytes B into one directory | $cp_mount | $cp_sync | $cp_disk |
EOF
