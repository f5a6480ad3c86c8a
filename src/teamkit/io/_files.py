"""Reading an input file with errors that name it, for every file kind teamkit reads."""

from __future__ import annotations

import os
from pathlib import Path

from teamkit.exceptions import TeamkitError


def read_input_bytes(path: str | os.PathLike[str], error: type[TeamkitError], noun: str, what: str) -> bytes:
    """The bytes of ``path``; a missing file, a folder or an unreadable file raise ``error``
    with a message naming the file (``noun``: "roster file"; ``what``: "the roster")."""
    source = os.fspath(path)
    article = "an" if noun[0] in "aeiou" else "a"
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise error(f"{noun} not found: {source} (resolved: {Path(path).resolve()})") from None
    except IsADirectoryError:
        raise error(f"{source}: is a folder, not {article} {noun}") from None
    except OSError as e:
        raise error(f"{source}: cannot read {what}: {e.strerror or e}") from None
