"""Small helpers for the engine's threads: an OS-visible name and a higher priority."""

from __future__ import annotations

import contextlib
import os
import threading


def name_os_thread(name: str) -> None:
    """Give the calling thread a name that top, ps -L and /proc show (Linux; best effort), so
    the engine's CPU can be read per thread."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None).prctl(15, name.encode()[:15], 0, 0, 0)  # 15 = PR_SET_NAME


def raise_thread_priority() -> str:
    """Best effort: real-time (SCHED_FIFO) or at least a higher priority for the calling (audio)
    thread, so other processes on a busy machine cannot delay it. Needs rtprio or
    CAP_SYS_NICE; silently does nothing otherwise. Returns what was obtained."""
    tid = threading.get_native_id()
    try:
        os.sched_setscheduler(tid, os.SCHED_FIFO, os.sched_param(10))
        return "SCHED_FIFO 10"
    except (AttributeError, OSError):
        pass
    try:
        os.setpriority(os.PRIO_PROCESS, tid, -10)
        return "nice -10"
    except (AttributeError, OSError):
        return "normal"
