#!/bin/bash
# F2: `cairn cp -r` follows directory cycles. A writer of any directory you copy can link that
# directory into itself (twice): the copy then grows without bound on the copier's disk
# (2^depth directories) until the path is too long or the disk is full.
# Usage: CAIRN_NODE=<client node dir, node running with gateway> GW=http://127.0.0.1:3466 a13_cp_cycle.sh [CAIRN_CHECKOUT]
set -u
CAIRN=${1:-$(cd "$(dirname "$0")/../.." && pwd)}/cairn; GW=${GW:-http://127.0.0.1:3466}
E=$(curl -s -X POST "$GW/uri?t=mkdir")
curl -s -X PUT --data-binary 'just a small file, more than fifty-five bytes long, on the grid ...' "$GW/uri/$E/f.txt" >/dev/null
printf "cairn-entries 1\nput a $E directory 0 755 2026-03-04T05:06:07Z 2026-03-04T05:06:08Z - -\nput b $E directory 0 755 2026-03-04T05:06:07Z 2026-03-04T05:06:08Z - -\n" \
  | curl -s -X POST --data-binary @- "$GW/uri/$E?t=set-children"; echo
OUT=$(mktemp -d /var/tmp/f2.XXXXXX)
timeout 30 $CAIRN cp -r "$E" $OUT/copy >/dev/null 2>&1; echo "cp -r exit $? (124 = still copying after 30 s)"
echo "after 30 s: $(find $OUT -type d | wc -l) directories, $(find $OUT -type f | wc -l) files, $(du -sh $OUT | cut -f1), depth $(find $OUT | awk -F/ '{print NF}' | sort -n | tail -1)"
rm -rf $OUT
