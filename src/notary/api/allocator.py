"""Keep a serving process's freed buffers for reuse instead of handing them back to the kernel.

An upload arrives as a few hundred KiB per socket read, and each read, each parsed body
piece and each message is a fresh bytes object of that size. glibc's malloc serves blocks
that large with mmap and returns them with munmap (or trims the heap's top as soon as
128 KiB lie free), so every piece costs fresh pages and a page fault per 4 KiB: measured here,
3,400 faults and about half the CPU of a 10 MiB upload, more than the SHA-256 itself.
`tune()` raises both thresholds (blocks below 1 MiB come from the heap; up to 32 MiB of free
heap is kept), which removes those faults; memory stays bounded by what is live at once plus
that reserve. It applies to glibc only (elsewhere it does nothing) and is called by
`notary serve` in the process that serves and in each worker.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's <malloc.h>
MMAP_THRESHOLD = 1 << 20
TRIM_THRESHOLD = 32 << 20


def tune() -> bool:
    """Set the thresholds; True if the C library took them."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
