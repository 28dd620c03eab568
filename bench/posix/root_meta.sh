#!/bin/bash
# root_meta.sh: chmod/chown/utime of the mount's root directory are lost at the next mount.
# Needs a demo started as: setsid ./cairn demo --dir $DEMO $M   (run from the repo checkout)
M=${M:-/var/tmp/hp-mnt}; DEMO=${DEMO:-/var/tmp/hp-demo}; REPO=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
chmod 1777 $M; chown 0:1234 $M; touch -m -d '2011-11-11 11:11:11' $M
python3 -c "import os; os.setxattr('$M', 'user.x', b'1')" 2>&1 | tail -1      # ENOTSUP on the root (ext4: ok)
stat -c 'before: %a %u:%g mtime=%Y' $M                                          # 1777 0:1234 1321009871
cd $REPO && ./cairn sync $M
P=$(pgrep -f "$REPO/cli/target/cairn-cli.jar" | head -1); kill -INT -- -$(ps -o pgid= -p $P | tr -d ' ')
while kill -0 $P 2>/dev/null; do sleep 1; done
setsid ./cairn demo --dir $DEMO $M > /tmp/root_meta_demo.log 2>&1 < /dev/null &
until mountpoint -q $M; do sleep 1; done
stat -c 'after:  %a %u:%g mtime=%Y' $M                                          # 755 0:0 <now>
