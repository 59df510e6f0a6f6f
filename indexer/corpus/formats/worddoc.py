"""``.doc`` (Word 97-2003 binary) through Debian's ``antiword`` or ``catdoc``, if installed.

Binary Word has no maintained pure-Python reader; both converters are small Debian
packages. Without either, ``.doc`` files are reported as unsupported (with the packages
to install), never silently ignored. The first line of text is the title.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from .base import Extracted, Record, Unreadable
from .text import paragraphs, title_from

TIMEOUT = 60


def converter() -> list[str] | None:
    """The command that prints a .doc file as UTF-8 text, or None if none is installed."""
    if path := shutil.which("antiword"):
        return [path, "-m", "UTF-8.txt", "-w", "0"]
    if path := shutil.which("catdoc"):
        return [path, "-d", "utf-8", "-w"]
    return None


def read(data: bytes, rel: str) -> Extracted:
    command = converter()
    if command is None:
        raise Unreadable("unsupported format .doc (install Debian's antiword or catdoc)")
    fd, tmp = tempfile.mkstemp(suffix=".doc")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        done = subprocess.run([*command, tmp], capture_output=True, timeout=TIMEOUT,
                              check=False)
    except subprocess.TimeoutExpired:
        raise Unreadable(f"{command[0]} took over {TIMEOUT} s") from None
    finally:
        os.unlink(tmp)
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise Unreadable(f"not a readable .doc file ({(detail or ['error'])[0][:100]})")
    text = done.stdout.decode("utf-8", "replace")
    blocks = [b for b in text.replace("\r", "\n").split("\n\n")]
    paras = paragraphs(blocks)
    title, paras = title_from(paras)
    if not title and not paras:
        raise Unreadable("no text in the document")
    return Extracted([Record(title=title, body="\n\n".join(paras))])
