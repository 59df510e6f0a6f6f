"""The package layout's contract with indexes already on disk.

Every index pickles the class paths of its schema, analyzers, formats, codec and
segments. Moving one of those classes makes every existing index unreadable; the
schema version is what turns that into "rebuild needed" instead of a traceback.
So the set of pickled paths is pinned per ``SCHEMA_VERSION``: moving a class
without a bump fails here.
"""

from __future__ import annotations

import io
import pickle
import subprocess
import sys
from types import SimpleNamespace

from whoosh import index as whoosh_index
from whoosh.filedb import structfile

import indexer
from indexer.indexing.generations import current_generation
from indexer.indexing.schema import SCHEMA_VERSION
from tests.conftest import write_jsonl

# SCHEMA_VERSION -> the ``indexer`` class paths an index's TOC pickles. After moving
# or renaming one: bump SCHEMA_VERSION and add the new set (keep the old ones).
PICKLED_PATHS = {
    7: {
        "indexer.indexing.schema.AccentedFrequency",
        "indexer.indexing.schema.FoldedPositions",
        "indexer.indexing.schema.PairFrequency",
        "indexer.whoosh_ext.analyzers.FoldFilter",
        "indexer.whoosh_ext.analyzers.MarkedOnlyFilter",
        "indexer.whoosh_ext.analyzers.VietnameseTokenizer",
        "indexer.whoosh_ext.codec.CompactCodec",
        "indexer.whoosh_ext.segfiles.CompactSegment",
    },
    8: {
        "indexer.indexing.schema.AccentedFrequency",
        "indexer.indexing.schema.FoldedPositions",
        "indexer.indexing.schema.LeadFrequency",
        "indexer.indexing.schema.PairFrequency",
        "indexer.whoosh_ext.analyzers.FoldFilter",
        "indexer.whoosh_ext.analyzers.MarkedOnlyFilter",
        "indexer.whoosh_ext.analyzers.VietnameseTokenizer",
        "indexer.whoosh_ext.codec.CompactCodec",
        "indexer.whoosh_ext.segfiles.CompactSegment",
    },
}


def pickled_paths(generation, monkeypatch) -> set[str]:
    """Every class path unpickled while Whoosh reads the generation's TOC (the schema
    through ``pickle.loads``, the segments through ``StructFile.read_pickle``)."""
    seen: set[str] = set()

    class Recording(pickle.Unpickler):
        def find_class(self, module: str, name: str):
            seen.add(f"{module}.{name}")
            return super().find_class(module, name)

    monkeypatch.setattr(structfile, "load_pickle", lambda file: Recording(file).load())
    monkeypatch.setattr(whoosh_index, "pickle", SimpleNamespace(
        loads=lambda data: Recording(io.BytesIO(data)).load()))
    whoosh_index.open_dir(str(generation)).close()
    return seen


def test_pickled_class_paths_are_pinned_by_the_schema_version(tmp_path, monkeypatch):
    write_jsonl(tmp_path / "corpus" / "a.jsonl", [
        {"id": "1", "title": "Hợp đồng lao động", "body": "Cán bộ, đảng viên ký hợp đồng."},
        {"id": "2", "title": "Luật đất đai", "body": "Quyền sử dụng đất của hộ gia đình."},
    ])
    indexer.reindex(tmp_path / "corpus", tmp_path / "index", full=True)
    paths = pickled_paths(current_generation(tmp_path / "index"), monkeypatch)

    ours = {path for path in paths if path.startswith("indexer.")}
    assert SCHEMA_VERSION in PICKLED_PATHS, (
        f"no pinned class paths for SCHEMA_VERSION {SCHEMA_VERSION}: add {sorted(ours)}")
    assert ours == PICKLED_PATHS[SCHEMA_VERSION], (
        "a class pickled in the index moved or appeared: bump SCHEMA_VERSION "
        "(indexer/indexing/schema.py) and pin the new set here")


def test_import_indexer_loads_neither_whoosh_nor_the_build_stack():
    """``import indexer`` is what ``vnsearch --help`` and every web worker pay: the
    public names load on first use (it was 125 ms with Whoosh and the whole build
    stack; ``python -X importtime -c 'import indexer'`` now says about 3 ms)."""
    probe = ("import sys, indexer; print(sorted(m for m in sys.modules "
             "if m.split('.')[0] in ('whoosh', 'indexer', 'flask', 'click')))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=60).stdout.strip()
    assert loaded == "['indexer', 'indexer.errors']"


def test_public_names_load_on_first_use():
    assert indexer.search.__module__ == "indexer.searching.service"
    assert set(indexer.__all__) <= set(dir(indexer))
    for name in indexer.__all__:
        assert getattr(indexer, name) is not None
