"""Making untrusted text safe where exports put it: spreadsheet cells and file names.

Participant names and attributes come from rosters that anyone may have typed. In a
spreadsheet, text that begins with ``= + - @`` (or a tab or carriage return) can be taken as
a formula and run ("CSV injection", OWASP); in a file name, a slash, a dot-dot or a reserved
device name can write elsewhere or fail on another system.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

#: Text beginning with one of these may be read as a formula by a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: Names Windows reserves for devices, with or without an extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{k}" for k in range(1, 10)), *(f"lpt{k}" for k in range(1, 10))}

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

#: The longest stem a file name gets (before its extension and any ``-2`` suffix).
MAX_STEM = 60


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula."""
    return text.startswith(FORMULA_START)


def file_stem(text: str, fallback: str = "file") -> str:
    """``text`` as a portable file-name stem: letters and digits in ASCII (accents dropped,
    ``Siti Nurhaliza`` → ``siti-nurhaliza``), every other run of characters a single ``-``,
    lower case, at most :data:`MAX_STEM` characters, never empty, never a reserved device
    name, never starting with a dot.

    >>> file_stem("../../etc/Pässwd")
    'etc-passwd'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE.sub("-", ascii_text).strip("-._").lower()[:MAX_STEM].strip("-._")
    if not stem:
        stem = fallback
    if stem.split(".")[0] in _RESERVED:
        stem = f"{stem}-file"
    return stem


def unique_file_names(stems: Iterable[str], extension: str) -> list[str]:
    """One file name per stem, in order, unique even on a file system that ignores case:
    a repeated stem gets ``-2``, ``-3``… (``ana.ics``, ``ana-2.ics``)."""
    taken: set[str] = set()
    names = []
    for stem in stems:
        name = f"{stem}{extension}"
        k = 1
        while name.lower() in taken:
            k += 1
            name = f"{stem}-{k}{extension}"
        taken.add(name.lower())
        names.append(name)
    return names
