"""Shared fixtures: the shipped corpus indexed once, and small corpora built per test."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import settings

import indexer

# Property tests check what analysis returns, not how fast: the first example of a
# run may load the word list or the accent model (0.3-0.5 s on a loaded 2-core box),
# which Hypothesis's default 200 ms deadline reports as a flaky failure.
settings.register_profile("vnsearch", deadline=None)
settings.load_profile("vnsearch")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED_LAWS = ROOT.parent / "shared" / "data" / "laws"


def cp1258_style(text: str) -> str:
    """Windows-1258 keeps ă â ê ô ơ ư đ precomposed and writes tones as combining marks."""
    out: list[str] = []
    base = -1
    for ch in unicodedata.normalize("NFD", text):
        if base >= 0 and ch in "\u0306\u0302\u031b":  # breve, circumflex, horn: compose
            out[base] = unicodedata.normalize("NFC", out[base] + ch)
            continue
        if not unicodedata.combining(ch):
            base = len(out)
        out.append(ch)
    return "".join(out)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


@pytest.fixture(scope="session")
def shipped_index(tmp_path_factory) -> Path:
    """The shipped corpus (seeds + law articles), fully indexed once per test run."""
    index_dir = tmp_path_factory.mktemp("shipped-index")
    indexer.reindex(CORPUS, index_dir, full=True)
    return index_dir


@pytest.fixture(scope="session")
def shipped(shipped_index) -> indexer.SearchIndex:
    handle = indexer.open_index(shipped_index)
    yield handle
    handle.close()


@pytest.fixture
def make_corpus(tmp_path):
    """Build a corpus folder from {relative path: str | bytes | list[record]}."""

    def make(files: dict[str, object], root: Path | None = None) -> Path:
        root = root or tmp_path / "corpus"
        root.mkdir(parents=True, exist_ok=True)
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, list):
                write_jsonl(path, content)
            elif isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, "utf-8")
        return root

    return make


@pytest.fixture
def law_corpus_copy(tmp_path) -> Path:
    """A writable copy of the shipped corpus (for incremental reindex tests)."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target
