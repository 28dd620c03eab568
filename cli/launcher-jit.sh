# Sourced by the launchers (./cairn and the Debian package's /usr/bin/cairn; POSIX sh): which
# JIT a long-running command gets (docs/startup.md, "C1 for processes no client verb reaches").
# serves_no_client VERB ARGS...: "yes" when the process will serve no client verb, as
# RunCommand decides: `storage` never does; `run DIR` does not for an introducer, nor for a
# storage node unless --web-port gives a port. Anything unclear answers "no" (keep C2): storage
# counts as on only where `enabled` reads true (create-node always writes it).
serves_no_client() {
  local verb=$1 dir= prev= a
  shift
  [ "$verb" = storage ] && { echo yes; return; }
  for a in "$@"; do
    if [ "$prev" = --web-port ]; then
      [ "$a" -lt 0 ] 2>/dev/null && { echo yes; return; }
      echo no; return
    fi
    case "$a" in
      --web-port=*) [ "${a#--web-port=}" -lt 0 ] 2>/dev/null && { echo yes; return; }
        echo no; return ;;
      --web-host) prev=$a; continue ;;
      -*) ;;
      *) [ "$prev" = --web-host ] || { [ -z "$dir" ] && dir=$a; } ;;
    esac
    prev=$a
  done
  [ -n "$dir" ] && [ -f "$dir/cairn.cfg" ] || { echo no; return; }
  awk '
    NR == 1 { sub(/^\357\273\277/, "") }
    /^[[:space:]]*\[/ { section = $0; sub(/#.*$/, "", section); gsub(/[][[:space:]]/, "", section); next }
    /^[[:space:]]*(#|$)/ { next }
    {
      eq = index($0, "="); if (eq == 0) next
      key = substr($0, 1, eq - 1); gsub(/[[:space:]]/, "", key)
      value = substr($0, eq + 1); sub(/[[:space:]]#.*$/, "", value)
      gsub(/^[[:space:]"]+|[[:space:]"]+$/, "", value); value = tolower(value)
      if (section == "node" && key == "role") role = value
      if (section == "storage" && key == "enabled") storage = value
    }
    END {
      if (role == "introducer") print "yes"
      else if (role != "" && role != "node") print "no"
      else if (storage == "true" || storage == "yes" || storage == "on") print "yes"
      else print "no"
    }' "$dir/cairn.cfg" 2>/dev/null || echo no
}
