#!/bin/bash
# F3: announcements naming hosts whose DNS never answers block every client event-loop thread
# (Netty resolves the name synchronously on the channel's event loop: cairn-client-N threads sit
# in InetAddress.lookupAllHostAddr), so a node's established links to real servers stop being
# served too: uploads fail after minutes, ls times out. Anyone who reaches the introducer can do it.
# Simulated "zone with a dead nameserver": the victim node runs in its own mount namespace whose
# resolv.conf points at 127.9.9.9:53, where a10_blackhole_dns.py swallows queries. Run as root.
# Usage: a10_slow_dns.sh [CAIRN_CHECKOUT]   (~6 minutes)
set -u
H=$(cd "$(dirname "$0")" && pwd); C=${1:-$(cd "$H/../.." && pwd)}; CAIRN=$C/cairn
W=$(mktemp -d /var/tmp/f3.XXXXXX); B=$((30000 + RANDOM % 20000)); PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -- -$p 2>/dev/null; done; }
trap cleanup EXIT
spawn() { setsid "$@" >>$W/log 2>&1 & PIDS+=($!); }
$CAIRN create-introducer $W/intro --hostname 127.0.0.1 --port $B >/dev/null
spawn $CAIRN run $W/intro; for i in $(seq 30); do [ -s $W/intro/introducer.url ] && break; sleep 1; done
URL=$(cat $W/intro/introducer.url)
for i in 1 2 3; do $CAIRN create-node $W/s$i --introducer "$URL" --hostname 127.0.0.1 --port $((B+i)) >/dev/null; spawn $CAIRN run $W/s$i --web-port -1; done
$CAIRN create-node $W/victim --introducer "$URL" --no-storage --shares-needed 2 --shares-happy 3 --shares-total 3 >/dev/null
printf "nameserver 127.9.9.9\noptions timeout:5 attempts:2\n" > $W/resolv.conf
spawn python3 $H/a10_blackhole_dns.py 127.9.9.9
spawn unshare -m bash -c "mount --bind $W/resolv.conf /etc/resolv.conf && exec $CAIRN run $W/victim --web-port 0"
sleep 25; export CAIRN_NODE=$W/victim
head -c 150000 /dev/urandom > $W/a; echo "--- before: put"; ( time timeout 300 $CAIRN put $W/a ) 2>&1 | grep -v "^$\|user\|sys"
python3 $H/a10_publish_slow_names.py 30 $B
sleep 20
head -c 150000 /dev/urandom > $W/b; echo "--- after 30 announcements of slow names: put"; ( time timeout 300 $CAIRN put $W/b ) 2>&1 | cut -c1-300 | grep -v "^$\|user\|sys"
VP=$(pgrep -f "run $W/victim" | head -1); jstack $VP | grep -A3 '"cairn-client' | grep -c lookupAllHostAddr | sed 's/^/client event-loop threads in DNS lookups: /'
