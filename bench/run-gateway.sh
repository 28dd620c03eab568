#!/usr/bin/env bash
# The HTTP gateway against the CLI on one local grid: `curl` downloading a file through the
# gateway versus `cairn get` of the same file (same run, same grid, same client node), and the
# gateway's time to first byte of that file once warm. Goals (issue 8): gateway rate >= 80 % of
# `cairn get`'s, first byte < 100 ms.
#
# The grid is `cairn demo --no-mount` (an introducer, 10 storage servers and a client node with
# its gateway, in one JVM on loopback); the file is random bytes put once with `cairn put`. Each
# run times one `curl` (wall time of the whole download) and one `cairn get` (wall time of the
# command, JVM start included: what a user waits for), alternating; the first of each is a
# warm-up and not counted. Outputs are compared with the file by SHA-256 once.
#
# Usage: bench/run-gateway.sh [--mib 1024] [--runs 3] [--dir /tmp]
# Smoke: bench/run-gateway.sh --mib 8 --runs 1
# Needs curl and about 3 x (--mib) x 10/3 of free space under --dir (shares) plus 3 x (--mib)
# for the file and the two downloads; everything is deleted at the end.
# Time it only on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
here="$(pwd)"

mib=1024
runs=3
base_dir="${TMPDIR:-/tmp}"
while [ $# -gt 0 ]; do
  case "$1" in
    --mib) mib="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --dir) base_dir="$2"; shift 2 ;;
    *) echo "unknown option $1 (use --mib N, --runs N, --dir DIR)" >&2; exit 64 ;;
  esac
done
case "$mib$runs" in *[!0-9]*) echo "--mib and --runs take whole numbers" >&2; exit 64 ;; esac
[ "$mib" -ge 1 ] && [ "$runs" -ge 1 ] || { echo "--mib and --runs must be >= 1" >&2; exit 64; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 69; }

work="$(mktemp -d "$base_dir/cairn-gateway-bench.XXXXXX")"
demo_pid=""
cleanup() {
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
    kill "$demo_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$demo_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

export CAIRN_DIR="$work/home"   # keep away from the user's ~/.cairn
./cairn --version >/dev/null    # builds the CLI if needed, before anything is timed
./cairn demo --dir "$work/demo" --no-mount --web-port 0 >"$work/demo.log" 2>&1 &
demo_pid=$!
gateway=""
for _ in $(seq 1 1800); do
  gateway="$(sed -n 's#^Gateway: \(http://[^ ]*\).*#\1#p' "$work/demo.log" | head -n 1)"
  [ -n "$gateway" ] && grep -q "Ctrl-C" "$work/demo.log" && break
  kill -0 "$demo_pid" 2>/dev/null || { echo "the demo stopped:" >&2; cat "$work/demo.log" >&2; exit 70; }
  sleep 0.1
done
[ -n "$gateway" ] || { echo "no gateway after 180 s:" >&2; cat "$work/demo.log" >&2; exit 70; }
gateway="${gateway%/}"
node="$work/demo/client"
echo "grid: cairn demo (10 storage servers, loopback); gateway $gateway; file $mib MiB; $runs runs"

head -c "$((mib << 20))" /dev/urandom >"$work/file"
want="$(sha256sum "$work/file" | cut -d' ' -f1)"
cap="$(./cairn put --node "$node" "$work/file" | tail -n 1)"
case "$cap" in cairn:*) ;; *) echo "cairn put printed no cap: $cap" >&2; exit 70 ;; esac

now() { date +%s.%N; }
curl_once() {  # prints: seconds-total seconds-to-first-byte
  local out
  out="$(curl -sS --fail -o "$work/out-curl" -w '%{time_total} %{time_starttransfer}' \
    "$gateway/uri/$cap")"
  echo "$out"
}
get_once() {  # prints: seconds
  local t0 t1
  t0="$(now)"
  rm -f "$work/out-get"
  ./cairn get --node "$node" "$cap" "$work/out-get" >/dev/null
  t1="$(now)"
  echo "$t1 - $t0" | bc -l
}
rate() { echo "scale=1; $mib / $1" | bc -l; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# warm-up, and the bytes checked once
curl_once >/dev/null
get_once >/dev/null
[ "$(sha256sum "$work/out-curl" | cut -d' ' -f1)" = "$want" ] || { echo "gateway bytes differ" >&2; exit 70; }
[ "$(sha256sum "$work/out-get" | cut -d' ' -f1)" = "$want" ] || { echo "cairn get bytes differ" >&2; exit 70; }

: >"$work/curl.txt"; : >"$work/get.txt"; : >"$work/ttfb.txt"
for i in $(seq 1 "$runs"); do
  read -r total first <<<"$(curl_once)"
  g="$(get_once)"
  echo "$total" >>"$work/curl.txt"; echo "$first" >>"$work/ttfb.txt"; echo "$g" >>"$work/get.txt"
  printf 'run %d: gateway %.2f s (%s MiB/s, first byte %.1f ms); cairn get %.2f s (%s MiB/s)\n' \
    "$i" "$total" "$(rate "$total")" "$(echo "$first * 1000" | bc -l)" "$g" "$(rate "$g")"
done
c="$(median <"$work/curl.txt")"; g="$(median <"$work/get.txt")"; f="$(median <"$work/ttfb.txt")"
ratio="$(echo "scale=2; $g / $c" | bc -l)"
printf 'median: gateway %s MiB/s, cairn get %s MiB/s; gateway/get rate ratio %s (goal >= 0.80)\n' \
  "$(rate "$c")" "$(rate "$g")" "$ratio"
printf 'time to first byte, warm (median): %.1f ms (goal < 100 ms)\n' "$(echo "$f * 1000" | bc -l)"
