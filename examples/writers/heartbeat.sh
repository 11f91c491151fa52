#!/bin/sh
# Write a ghost-hb heartbeat atomically from a POSIX shell.
# Usage: heartbeat.sh DIR NAME [INTERVAL_SECONDS]
# The pid reported is the caller's ($PPID): the script that runs this.
set -eu
dir=$1 name=$2 interval=${3:-}
case $name in
  *[!A-Za-z0-9._-]* | [._-]* | '') echo "bad daemon name: $name" >&2; exit 3 ;;
esac
[ -d "$dir" ] || { echo "heartbeat directory $dir does not exist" >&2; exit 3; }
ts=$(date -u +%Y-%m-%dT%H:%M:%SZ)   # UTC, with the Z: a time without an offset is refused
extra=
[ -n "$interval" ] && extra=",\"interval\":$interval"
tmp=$(mktemp "$dir/.$name.json.XXXXXX")   # a dotfile: the monitor ignores it
trap 'rm -f "$tmp"' EXIT
printf '{"name":"%s","pid":%d,"ts":"%s","status":"ok"%s}\n' "$name" "$PPID" "$ts" "$extra" >"$tmp"
chmod 644 "$tmp"
sync "$tmp" 2>/dev/null || true      # coreutils >= 8.24 syncs one file
mv -f "$tmp" "$dir/$name.json"       # rename(2): atomic within one directory
trap - EXIT
