"""Waiting for a load in another process to begin writing, so a test can interrupt it
mid-transaction (SIGKILL, Ctrl-C)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path


def wait_for_write(db: Path, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    """Return once `db` or its WAL grows (the load's transaction has begun); fail if the load
    ends first."""
    wal = Path(str(db) + ".wal")
    size0 = db.stat().st_size
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if (wal.exists() and wal.stat().st_size > 0) or db.stat().st_size != size0:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "load finished before it could be interrupted"
