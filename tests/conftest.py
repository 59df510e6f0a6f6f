"""Shared fixtures: the shipped corpus indexed once, small corpora built per test, and the
web app over a small corpus (its index built once). Helpers to import are in helpers.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import settings

import indexer
from tests.helpers import CORPUS, LiveServer, web_records, write_corpus, write_jsonl

# Property tests check what analysis returns, not how fast: the first example of a
# run may load the word list or the accent model (0.3-0.5 s on a loaded 2-core box),
# which Hypothesis's default 200 ms deadline reports as a flaky failure.
settings.register_profile("vnsearch", deadline=None)
settings.load_profile("vnsearch")



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
def segmented_index(make_corpus, tmp_path) -> Path:
    """60 documents in one segment, then an incremental reindex deleting 4, changing d5
    and adding "new": an index of several segments with deletions (5 of 60 deleted stay:
    compaction purges a segment past 10%, indexer.indexing.compaction)."""
    corpus = make_corpus({})
    records = [{"id": f"d{n}", "title": f"Hợp đồng số {n}",
                "text": ("Cán bộ, đảng viên " if n % 3 else "cần bộ đang viên ") * (1 + n % 4)
                + "tài sản thừa kế theo di chúc; tòa án nhân dân tỉnh."} for n in range(60)]
    write_jsonl(corpus / "a.jsonl", records)
    index_dir = tmp_path / "index"
    indexer.reindex(corpus, index_dir, full=True)
    records[5]["text"] = "hợp đồng lao động, phiên tòa sơ thẩm, tù chung thân"
    write_jsonl(corpus / "a.jsonl", records[:56])  # 4 deleted, one changed
    write_jsonl(corpus / "b.jsonl", [{"id": "new", "title": "Đảng viên",
                                     "text": "tù chung thân"}])
    report = indexer.reindex(corpus, index_dir)
    assert (report.deleted, report.added, report.merges) == (4, 1, 0)
    return index_dir


@pytest.fixture
def law_corpus_copy(tmp_path) -> Path:
    """A writable copy of the shipped corpus (for incremental reindex tests)."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


# --- the web app over a small corpus (test_web, test_api, test_page_features, browsers) ---


@pytest.fixture(scope="session")
def web_index(tmp_path_factory) -> Path:
    """The web corpus indexed once per session (the folder is reused across modules)."""
    base = tmp_path_factory.getbasetemp() / "web"
    index_dir = base / "index"
    if not (base / "built").exists():
        corpus = write_corpus(base / "corpus", web_records())
        indexer.reindex(corpus, index_dir, full=True)
        (base / "built").touch()
    return index_dir


@pytest.fixture(scope="session")
def app(web_index):
    from search_app import create_app

    app = create_app({"TESTING": True, "INDEX_DIR": str(web_index)})
    yield app
    handle = app.extensions.get("vnsearch")
    if handle is not None:
        handle.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def empty_app(tmp_path):
    """An app whose index folder holds no index: every search is a 503."""
    from search_app import create_app

    return create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "no-index")})


@pytest.fixture(scope="module")
def live_server(app):
    with LiveServer(app) as server:
        yield server
