"""Telling a damaged index from a bug: where inside the code an exception was raised.

Opening an index checks its files (:func:`indexer.indexing.generations.open_generation`),
but damaged data inside a segment only fails when a search reads it, and Whoosh then
raises whatever its decoding met: EOFError, struct.error, zlib.error, UnpicklingError,
TypeError... Such an exception is an index problem (rebuild it), not a bug, when it
comes out of Whoosh's own code; one raised in ours stays a bug. Knowing where Whoosh's
code lives is a Whoosh internal, so it is decided here, and the library raises a typed
:class:`indexer.errors.IndexDamagedError` for callers (the web app answers 503).
"""

from __future__ import annotations

import sysconfig
import traceback
from pathlib import Path

import whoosh

_WHOOSH = Path(whoosh.__file__).resolve().parent
_STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()


def raised_in_whoosh(exc: BaseException) -> bool:
    """True if the innermost frame of ``exc`` outside the standard library is Whoosh's."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(_WHOOSH):
            return True
        if not path.is_relative_to(_STDLIB):
            return False
    return False
