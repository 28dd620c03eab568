#!/bin/bash
# fffd_unlink.sh: unlink() of a name that is not UTF-8 deletes a *different* file whose name holds U+FFFD.
# Needs a U+FFFD name on the grid; here made through the demo's gateway (any other client works the same).
M=${M:-/var/tmp/hp-mnt}; GW=${GW:-http://127.0.0.1:3456}; export M
mkdir -p $M/fffd && cairn_dir=$(dirname "$0")
cap=$(python3 -c "import os;print(os.getxattr('$M/fffd','user.cairn.writecap').decode())")   # waits for the dir to be on the grid
curl -s -o /dev/null -X PUT --data-binary precious "$GW/uri/$cap/x%EF%BF%BD"              # file named "x\uFFFD"
for i in $(seq 60); do ls $M/fffd | grep -q x && break; sleep 1; done                       # wait out the listing TTL
python3 - <<'PY'
import os
d = os.fsencode(os.environ.get("M", "/var/tmp/hp-mnt")) + b"/fffd"
print("listing:", os.listdir(d))
print("stat(b'x\\xff') ->", os.stat(d + b"/x\xff").st_size, open(d + b"/x\xff", "rb").read())   # ext4: ENOENT
os.unlink(d + b"/x\xc0")                                                                   # ext4: ENOENT
print("after unlink(b'x\\xc0'):", os.listdir(d))                                          # 'x\uFFFD' is gone
PY
