"""The package layout's contract with indexes already on disk.

Every index pickles the class paths of its schema, analyzers, formats, codec and
segments. Moving one of those classes makes every existing index unreadable; the
schema version is what turns that into "rebuild needed" instead of a traceback.
So the set of pickled paths is pinned per ``SCHEMA_VERSION``: moving a class
without a bump fails here.
"""

from __future__ import annotations

import ast
import io
import pickle
import subprocess
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

from whoosh import index as whoosh_index
from whoosh.filedb import structfile

import indexer
from indexer.indexing.generations import current_generation
from indexer.indexing.schema import SCHEMA_VERSION
from tests.helpers import write_jsonl

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


# --- who may use what ------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
WHOOSH_INTERNALS = ("whoosh.codec", "whoosh.writing", "whoosh.filedb", "whoosh.matching",
                    "whoosh.scoring")


def _sources(*folders: str) -> dict[str, ast.Module]:
    return {str(path.relative_to(ROOT)): ast.parse(path.read_text("utf-8"), str(path))
            for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))}


def _imports(tree: ast.Module):
    """``(module, name or None)`` of every import in ``tree``, wherever it stands."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield from ((node.module, alias.name) for alias in node.names)


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _whoosh_private_names() -> set[str]:
    """Every single-underscore name Whoosh's own source defines or reads."""
    import whoosh

    names: set[str] = set()
    for path in Path(whoosh.__file__).parent.rglob("*.py"):
        with warnings.catch_warnings():  # its invalid escapes ("\g<1>") warn when parsed
            warnings.simplefilter("ignore")
            tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            name = getattr(node, "attr", None) or getattr(node, "id", None) or (
                node.name if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else None)
            if isinstance(name, str) and _private(name):
                names.add(name)
    return names


def test_only_whoosh_ext_uses_whoosh_internals():
    """Whoosh's codec, writer, file storage, matchers and scorers, and any private name
    of Whoosh (imported, or read as an attribute of one of its objects), are used from
    ``indexer/whoosh_ext`` only: a Whoosh upgrade is then checked in one package.

    An attribute counts when Whoosh's source has that private name and our code outside
    ``whoosh_ext`` never assigns or defines it itself (``gate._lock`` is ours)."""
    outside = {path: tree for path, tree in _sources("indexer", "search_app").items()
               if not path.startswith("indexer/whoosh_ext/")}
    ours = {name for tree in outside.values() for node in ast.walk(tree)
            for name in [node.name if isinstance(node, (ast.FunctionDef, ast.ClassDef))
                         else getattr(node, "attr", None) if isinstance(
                             getattr(node, "ctx", None), ast.Store) else None]
            if name}
    whoosh_private = _whoosh_private_names() - ours
    found = []
    for path, tree in outside.items():
        for module, name in _imports(tree):
            if module.split(".")[0] != "whoosh":
                continue
            if module.startswith(WHOOSH_INTERNALS) or _private(name or "") or any(
                    _private(part) for part in module.split(".")):
                found.append(f"{path}: from {module} import {name}")
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr in whoosh_private
                    and not (isinstance(node.value, ast.Name) and node.value.id == "self")):
                found.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "Whoosh internals outside indexer/whoosh_ext:\n" + "\n".join(found)


def test_the_app_and_the_cli_use_only_indexers_public_api():
    """``search_app`` and ``indexer/cli`` import ``indexer`` itself (names in its
    ``__all__``) and the CLI its own modules; never a stage's module, never Whoosh."""
    public = set(indexer.__all__)
    found = []
    for path, tree in _sources("search_app", "indexer/cli").items():
        for module, name in _imports(tree):
            top = module.split(".")[0]
            if top == "whoosh":
                found.append(f"{path}: {module}")
            elif top == "indexer" and not module.startswith("indexer.cli"):
                if module != "indexer" or (name is not None and name not in public):
                    found.append(f"{path}: from {module} import {name}")
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "indexer" and node.attr not in public
                    and node.attr != "cli"):
                found.append(f"{path}:{node.lineno}: indexer.{node.attr}")
    assert not found, "not indexer's public API:\n" + "\n".join(found)


def test_every_writer_uses_our_codec():
    """Whoosh's default writer (W3 codec) writes segments our searches cannot read: every
    writer comes from ``open_writer``, ``BulkWriter`` or ``commit_segments``, which pass
    the codec themselves (a ``.writer(...)`` call anywhere else in ``indexer/`` fails)."""
    found = [f"{path}:{node.lineno}: {ast.unparse(node)}"
             for path, tree in _sources("indexer").items()
             if path != "indexer/whoosh_ext/codec.py"
             for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr == "writer"]
    assert not found, "\n".join(found)
