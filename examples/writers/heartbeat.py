#!/usr/bin/env python3
"""Write a ghost-hb heartbeat atomically from Python (standard library only).

Usage: heartbeat.py DIR NAME [INTERVAL_SECONDS]
Or import and call beat(dir, name, interval=...) from your daemon's loop.
"""
import json
import os
import sys
import tempfile
from datetime import datetime, timezone


def beat(directory, name, interval=None, status="ok", message=None, pid=None):
    doc = {
        "name": name,
        "pid": pid or os.getpid(),
        # Always with a UTC offset: a bare datetime.now().isoformat() is refused.
        "ts": datetime.now(timezone.utc).isoformat(),
        "status": status,
    }
    if interval is not None:
        doc["interval"] = interval
    if message is not None:
        doc["message"] = message
    # A dotfile temp in the same directory (the monitor ignores dotfiles), fsync, rename.
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.json.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(doc, f)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, os.path.join(directory, f"{name}.json"))
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    # Run as a command, the daemon is the caller (the shell script), not this process.
    interval = float(sys.argv[3]) if len(sys.argv) == 4 else None
    beat(sys.argv[1], sys.argv[2], interval, pid=os.getppid())
