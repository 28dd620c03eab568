#!/bin/bash
# demo_restart_after_kill.sh: after kill -9 of a running `cairn demo`, starting it again with the same
# --dir and mount point fails ("already exists and is in the way", exit 74) instead of clearing the dead
# mount as `cairn mount` does (operations.md: "the next `cairn mount` at that place" clears it).
M=${M:-/var/tmp/hp-mnt}; DEMO=${DEMO:-/var/tmp/hp-demo}; REPO=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
cd $REPO
P=$(pgrep -f "$REPO/cli/target/cairn-cli.jar" | head -1); kill -9 $P; sleep 1
ls $M 2>&1 | head -1                                        # Transport endpoint is not connected
./cairn demo --dir $DEMO $M 2>&1 | tail -1; echo "exit $?"  # cairn: already exists and is in the way: $M
./cairn unmount $M                                          # workaround: clears it
setsid ./cairn demo --dir $DEMO $M > /tmp/demo_restart.log 2>&1 < /dev/null &
