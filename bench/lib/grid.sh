# Shared by the bench scripts that start a grid of separate `cairn run` processes on loopback
# (run-cli.sh --processes, run-get-ab.sh) or read CPU seconds from /proc (run-read-cpu.sh).
# Source it; the caller keeps a `pids` array (every started process is appended) and a trap
# that stops them.

# bench_waitfor SECONDS FILE PATTERN: until a line of FILE matches, or fail with its tail.
bench_waitfor() {
  for _ in $(seq 1 "$1"); do
    grep -q "$3" "$2" 2>/dev/null && return 0
    sleep 1
  done
  echo "no '$3' in $2 after $1 s:" >&2; tail -5 "$2" >&2; exit 1
}

# bench_cpu PID...: CPU seconds (user + system) of these processes so far, two decimals.
bench_cpu() {
  local t=0 p
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  awk -v t="$t" 'BEGIN { printf "%.2f", t / 100 }'
}

# bench_storage_grid CAIRN WORK SERVERS: an introducer and SERVERS storage nodes (s1..sN), each
# its own `cairn run` under WORK. Sets `url` (the introducer's) and `server_pids`.
bench_storage_grid() {
  local cairn=$1 work=$2 servers=$3 i
  "$cairn" create-introducer "$work/intro" --hostname 127.0.0.1 --port 0 >/dev/null
  "$cairn" run "$work/intro" >"$work/intro.out" 2>&1 &
  pids+=($!)
  bench_waitfor 120 "$work/intro.out" '^Introducer running'
  url=$(cat "$work/intro/introducer.url")
  server_pids=()
  for i in $(seq 1 "$servers"); do
    "$cairn" create-node "$work/s$i" --introducer "$url" --nickname "s$i" --hostname 127.0.0.1 \
      --port 0 --storage-dir "$work/s$i/storage" >/dev/null
    "$cairn" run "$work/s$i" >"$work/s$i.out" 2>&1 &
    pids+=($!); server_pids+=($!)
  done
}

# bench_client_node CAIRN NODE_DIR NICKNAME: a client node (--no-storage) with its gateway on an
# ephemeral port, joined to `url`. Sets `client_pid`.
bench_client_node() {
  local cairn=$1 node=$2 nick=$3
  "$cairn" create-node "$node" --introducer "$url" --nickname "$nick" \
    --hostname 127.0.0.1 --port 0 --no-storage >/dev/null
  "$cairn" run --web-port 0 "$node" >"$node.out" 2>&1 &
  pids+=($!); client_pid=$!
  bench_waitfor 300 "$node.out" '^Gateway: '
}

# bench_await_servers CAIRN WORK NODE_DIR SERVERS: until every storage node has started and the
# client node of NODE_DIR sees all of them.
bench_await_servers() {
  local cairn=$1 work=$2 node=$3 servers=$4 i seen=0
  for i in $(seq 1 "$servers"); do bench_waitfor 300 "$work/s$i.out" '^Node s'; done
  for _ in $(seq 1 120); do
    seen=$("$cairn" status "$node" 2>/dev/null | grep -Eo '\bs[0-9]+\b' | sort -u | wc -l)
    [ "$seen" -ge "$servers" ] && return 0
    sleep 1
  done
  echo "the client node $node sees $seen of $servers servers" >&2; exit 1
}
