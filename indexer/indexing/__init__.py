"""Stage 3, indexing: the only code that writes an index.

:mod:`.schema` defines the fields and ``SCHEMA_VERSION``; :mod:`.reindex` runs a
full or incremental reindex (what changed comes from :mod:`.manifest`);
:mod:`.fullbuild` rebuilds in one process or several (workers that die with
their parent: :mod:`.lifetime`); :mod:`.census` counts what the index holds.
:mod:`.generations` lays out the index folder as generations switched
atomically (``CURRENT``), and :mod:`.lock` lets one reindex run at a time.
"""
