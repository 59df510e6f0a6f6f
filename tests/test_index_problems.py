"""A missing, empty, outdated or damaged index: one clear line (CLI) or a 503 (web), never a
traceback, and always the remedy: `vnsearch reindex`.

Whoosh leaves the file of a segment it failed to read open until the garbage collector
finds it; that ResourceWarning (pytest turns warnings into errors) is expected here, so
these tests ignore it and collect at the end of the module, before other tests run.
"""

from __future__ import annotations

import gc
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import indexer
from indexer.cli.commands import cli
from indexer.indexing import generations as store
from search_app import create_app
from tests.helpers import ROOT, write_jsonl

RECORDS = [
    {"id": f"doc-{n}", "title": f"Cán bộ số {n}", "source": "Báo Mẫu", "date": "2023-05-01",
     "text": f"Cán bộ đảng viên thứ {n} phải gương mẫu, có trách nhiệm với công việc. " * 20}
    for n in range(40)
]


def _damage_outdated(gen: Path) -> None:
    meta = json.loads((gen / store.META).read_text("utf-8"))
    meta["schema_version"] = 0
    (gen / store.META).write_text(json.dumps(meta), "utf-8")


def _segment(gen: Path) -> Path:
    (seg,) = gen.glob("*.seg")
    return seg


def _toc(gen: Path) -> Path:
    (toc,) = gen.glob("_*.toc")
    return toc


# name -> how to damage a copy of a good index (None: the index folder is missing/empty)
DAMAGE = {
    "missing-dir": "missing",
    "empty-dir": "empty",
    "dangling-current": lambda index, gen: (index / store.CURRENT).write_text("gen-gone"),
    "garbage-current": lambda index, gen: (index / store.CURRENT).write_bytes(b"\xff\x00../x"),
    "older-schema": lambda index, gen: _damage_outdated(gen),
    "no-meta": lambda index, gen: (gen / store.META).unlink(),
    "corrupt-meta": lambda index, gen: (gen / store.META).write_text("{{", "utf-8"),
    "truncated-segment": lambda index, gen: _truncate(_segment(gen), 0.5),
    "truncated-segment-tail": lambda index, gen: _truncate(_segment(gen), 0.99),
    "empty-segment": lambda index, gen: _truncate(_segment(gen), 0),
    "missing-segment": lambda index, gen: _segment(gen).unlink(),
    "garbage-segment": lambda index, gen: _segment(gen).write_bytes(b"\x07" * 4096),
    "missing-toc": lambda index, gen: _toc(gen).unlink(),
    "garbage-toc": lambda index, gen: _toc(gen).write_bytes(b"\x00\xff" * 100),
    "truncated-toc": lambda index, gen: _truncate(_toc(gen), 0.5),
}
HINTS = ("vnsearch reindex",)

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture(autouse=True, scope="module")
def _collect_leaked_files():
    yield
    gc.collect()  # at the last test's teardown, while this module's warning filter applies


def _truncate(path: Path, fraction: float) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.truncate(int(size * fraction))


@pytest.fixture(scope="module")
def good_index(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("index-problems")
    write_jsonl(base / "corpus" / "docs.jsonl", RECORDS)
    indexer.reindex(base / "corpus", base / "index", full=True)
    return base / "index"


@pytest.fixture
def damaged(request, good_index, tmp_path) -> Path:
    """A copy of the good index, damaged as the test's ``case`` parameter says."""
    case = DAMAGE[request.param]
    index = tmp_path / "index"
    if case == "missing":
        return index
    if case == "empty":
        index.mkdir()
        return index
    shutil.copytree(good_index, index)
    case(index, index / store.current_generation(good_index).name)
    return index


def one_clean_line(output: str) -> str:
    assert "Traceback" not in output and "Aborted" not in output, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("Error: ") and any(h in lines[0] for h in HINTS), lines[0]
    return lines[0]


def test_the_good_index_works(good_index):
    handle = indexer.open_index(good_index)
    assert indexer.search(handle, "can bo").total == len(RECORDS)
    handle.close()


def cli_fails_in_one_line(index: Path, command: list[str]) -> str:
    result = CliRunner().invoke(cli, [*command, "--index", str(index)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    return one_clean_line(result.output)


@pytest.mark.parametrize("damaged", list(DAMAGE), indirect=True)
def test_cli_says_what_to_do_in_one_line(damaged):
    for command in (["search", "can bo"], ["stats", "--json"]):
        cli_fails_in_one_line(damaged, command)


@pytest.mark.parametrize("damaged", ["empty-dir", "older-schema", "truncated-segment"],
                         indirect=True)
def test_every_reading_command_says_it(damaged):
    for command in (["search", "can bo", "--json"], ["stats"], ["restore", "can bo"]):
        cli_fails_in_one_line(damaged, command)


@pytest.mark.parametrize("damaged", ["truncated-segment", "older-schema", "missing-dir"],
                         indirect=True)
def test_real_cli_process_prints_no_traceback(damaged):
    for command in (["search", "can bo"], ["stats"]):
        done = subprocess.run([sys.executable, "-m", "indexer.cli", *command, "--index",
                               str(damaged)], capture_output=True, text=True, cwd=ROOT,
                              timeout=60)
        assert done.returncode == 1 and not done.stdout
        line = one_clean_line(done.stderr)
        if damaged.name == "index" and "older" in line:
            assert "--full" in line


WEB_PATHS = ["/", "/search?q=can+bo", "/api/search?q=can+bo", "/healthz"]
MORE_WEB_PATHS = ["/doc/doc-1", "/api/doc/doc-1", "/search?q=can&source=x&from=2020-01-01",
                  "/api/search?q=can&sort=date&page=3"]


@pytest.mark.parametrize("damaged", list(DAMAGE), indirect=True)
def test_web_answers_503_with_the_remedy(damaged, request):
    app = create_app({"TESTING": True, "INDEX_DIR": str(damaged)})
    client = app.test_client()
    # Whoosh retries a segment it cannot open for 0.5 s: fewer requests for those cases.
    slow = request.node.callspec.params["damaged"] in ("missing-segment", "garbage-segment")
    more = [] if slow else MORE_WEB_PATHS
    for path in WEB_PATHS + more:
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 503, (path, response.status_code, body[:300])
        assert "Traceback" not in body and "File \"" not in body
        if path.startswith(("/api/", "/healthz")):
            data = response.get_json()
            assert set(data) == {"error"} and data["error"]["code"] == 503
            assert any(hint in data["error"]["message"] for hint in HINTS)
        else:
            assert response.mimetype == "text/html"
            assert any(hint in body for hint in HINTS)
    # a damaged segment is said to be damaged, not missing (found by a QA pass: the page
    # said "Chưa có chỉ mục" for a truncated segment)
    if "segment" in request.node.callspec.params["damaged"]:
        message = client.get("/api/search?q=can+bo").get_json()["error"]["message"]
        assert "bị hỏng" in message and "--full" in message, message
    # autocomplete is a nicety: an empty list rather than an error
    assert client.get("/api/suggest?q=can").get_json()["suggestions"] == []
    if app.extensions.get("vnsearch") is not None:
        app.extensions["vnsearch"].close()


@pytest.mark.parametrize("damaged", ["older-schema", "corrupt-meta", "garbage-toc",
                                     "dangling-current"], indirect=True)
def test_plain_reindex_repairs_what_it_can_detect(damaged, good_index, request):
    corpus = good_index.parent / "corpus"
    report = indexer.reindex(corpus, damaged)
    # a pointer to nothing: the intact generation beside it is made live again
    dangling = request.node.callspec.params["damaged"] == "dangling-current"
    assert report.mode == ("incremental" if dangling else "full")
    assert report.documents == len(RECORDS)
    handle = indexer.open_index(damaged)
    assert indexer.search(handle, "can bo").total == len(RECORDS)
    handle.close()


@pytest.mark.parametrize("damaged", ["truncated-segment", "missing-segment", "empty-segment"],
                         indirect=True)
def test_full_reindex_repairs_a_damaged_segment(damaged, good_index):
    result = CliRunner().invoke(cli, ["reindex", "--full", "--corpus",
                                      str(good_index.parent / "corpus"), "--index", str(damaged)])
    assert result.exit_code == 0, result.output
    handle = indexer.open_index(damaged)
    assert indexer.search(handle, "can bo").total == len(RECORDS)
    handle.close()


@pytest.mark.parametrize("damaged", ["truncated-segment"], indirect=True)
def test_plain_reindex_repairs_a_damaged_segment(damaged, good_index):
    indexer.reindex(good_index.parent / "corpus", damaged)
    handle = indexer.open_index(damaged)
    try:
        assert indexer.search(handle, "can bo").total == len(RECORDS)
    finally:
        handle.close()


def _failing_search(index: Path) -> str | None:
    """A query that fails inside Whoosh on this index, or None. Damage found while
    searching is an IndexDamagedError (a VnsearchError); any other VnsearchError means the
    damage was found elsewhere, and an untyped exception counts too (the web test below
    then fails, as it should)."""
    handle = indexer.open_index(index)
    try:
        for query in ("can bo", "dang vien", "trach nhiem", "guong mau", "cong viec", "so 7",
                      "can*", '"can bo dang vien"', "title:can"):
            try:
                indexer.search(handle, query)
            except indexer.IndexDamagedError:
                return query
            except indexer.VnsearchError:
                return None
            except Exception:
                return query
    finally:
        handle.close()
    return None


def test_data_damage_found_only_while_searching_is_a_503_and_one_line(good_index, tmp_path):
    """Flip bytes inside the segment until the index still opens but a search fails."""
    gen = store.current_generation(good_index)
    original = _segment(gen).read_bytes()
    found = None
    for attempt in range(60):
        index = tmp_path / f"index-{attempt}"
        shutil.copytree(good_index, index)
        seg = _segment(index / gen.name)
        data = bytearray(original)
        start = 64 + attempt * (len(data) - 256) // 60
        data[start:start + 48] = bytes((b * 7 + 13) % 256 for b in data[start:start + 48])
        seg.write_bytes(bytes(data))
        query = _failing_search(index)
        if query:
            found = (index, query)
            break
        shutil.rmtree(index)
    if found is None:
        pytest.skip("no byte damage in this index fails at search time")
    index, query = found
    result = CliRunner().invoke(cli, ["search", query, "--index", str(index)])
    assert result.exit_code == 1, result.output
    line = one_clean_line(result.output)
    assert "--full" in line
    app = create_app({"TESTING": True, "INDEX_DIR": str(index)})
    client = app.test_client()
    api = client.get("/api/search", query_string={"q": query})
    page = client.get("/search", query_string={"q": query})
    assert api.status_code == page.status_code == 503
    assert "reindex --full" in api.get_json()["error"]["message"]
    assert "reindex --full" in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)


def test_a_bug_is_still_a_500_without_a_traceback(good_index, monkeypatch):
    """Only failures inside Whoosh count as index damage; our own bugs stay 500s."""
    app = create_app({"TESTING": True, "INDEX_DIR": str(good_index)})

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("search_app.params.indexer.search", broken)
    response = app.test_client().get("/api/search?q=can")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == 500
    assert "a bug" not in response.get_data(as_text=True)


def test_generation_files_are_readable_by_another_user(good_index):
    """A server running as another user than `vnsearch reindex` must read the index."""
    gen = store.current_generation(good_index)
    assert (good_index / store.CURRENT).stat().st_mode & 0o044 == 0o044
    assert gen.stat().st_mode & 0o055 == 0o055
    for name in (store.META, store.MANIFEST):
        assert (gen / name).stat().st_mode & 0o044 == 0o044


def test_damage_found_while_searching_is_a_typed_error(good_index, monkeypatch):
    """The library says "damaged" itself (IndexDamagedError): the web app used to sniff
    tracebacks for Whoosh's files to tell damage from a bug, and a library caller got
    the raw TypeError/struct.error."""
    import struct

    from whoosh.codec.whoosh3 import W3PerDocReader

    # Decoding failing (in C) where Whoosh reads a hit's stored fields: raised in its code.
    monkeypatch.setattr(W3PerDocReader, "stored_fields", struct.Struct("!I").unpack)
    handle = indexer.open_index(good_index)
    try:
        with pytest.raises(indexer.IndexDamagedError, match="reindex --full"):
            indexer.search(handle, "can bo", suggest=False)
    finally:
        handle.close()
    app = create_app({"TESTING": True, "INDEX_DIR": str(good_index)})
    response = app.test_client().get("/api/search?q=can+bo")
    assert response.status_code == 503
    assert "reindex --full" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("damaged", ["missing-segment", "garbage-segment"], indirect=True)
def test_a_failed_open_is_remembered_not_paid_per_request(damaged, good_index, monkeypatch):
    """Opening a commit with a missing or garbage segment takes ~0.15 s of retries (meant
    for a commit being replaced); every request to such an index paid them again."""
    import time

    from indexer.searching import searchers

    monkeypatch.setattr(searchers, "FAILED_OPEN_TTL", 0.5)
    handle = indexer.open_index(damaged)
    try:
        with pytest.raises(indexer.IndexMissingError) as first:
            indexer.search(handle, "can bo", suggest=False)
        started = time.perf_counter()
        for _ in range(10):
            with pytest.raises(indexer.IndexMissingError) as again:
                indexer.search(handle, "can bo", suggest=False)
            assert str(again.value) == str(first.value)
        assert time.perf_counter() - started < 0.1  # not 10 x 0.15 s
        time.sleep(0.5)  # past the interval the commit is tried again...
        with pytest.raises(indexer.IndexMissingError):
            indexer.search(handle, "can bo", suggest=False)
        indexer.reindex(good_index.parent / "corpus", damaged, full=True)  # a new generation:
        assert indexer.search(handle, "can bo", suggest=False).total > 0  # seen at once
    finally:
        handle.close()


def test_a_lost_current_pointer_is_recovered_not_rebuilt(good_index, tmp_path):
    """Found by a QA pass: with CURRENT deleted (or garbage) a reindex removed every
    generation as a leftover and rebuilt from scratch, losing what only the index held
    (the documents of files unreadable now)."""
    index = tmp_path / "index"
    shutil.copytree(good_index, index)
    live = store.current_generation(index).name
    (index / "CURRENT").unlink()
    report = indexer.reindex(good_index.parent / "corpus", index)
    assert report.mode == "incremental" and report.added == 0, report.summary()
    assert any("CURRENT was missing" in note for note in report.notes)
    assert store.current_generation(index).name == live


def test_a_generation_with_only_its_report_left_is_not_made_live(good_index, tmp_path):
    """Found in review: a folder holding a meta.json but no commit (an interrupted delete,
    a partial copy) was revived, and the intact generation deleted as a leftover."""
    index = tmp_path / "index"
    shutil.copytree(good_index, index)
    live = store.current_generation(index)
    husk = index / "gen-99991231T235959-zzzz"
    husk.mkdir()
    shutil.copy(live / store.META, husk / store.META)
    (index / "CURRENT").unlink()
    report = indexer.reindex(good_index.parent / "corpus", index)
    assert report.mode == "incremental" and store.current_generation(index).name == live.name


def test_the_newest_build_is_made_live_again_whatever_the_folder_names(good_index, tmp_path):
    """Found in review: 'newest' was the folder name's order, whose random suffix decides
    between two builds of the same second."""
    index = tmp_path / "index"
    shutil.copytree(good_index, index)
    live = store.current_generation(index)
    older = index / "gen-99991231T235959-zzzz"  # sorts last by name, built earlier
    shutil.copytree(live, older)
    meta = store.read_json(older / store.META)
    meta["last_reindex"] = "2000-01-01T00:00:00"
    store.write_json(older / store.META, meta)
    (index / "CURRENT").unlink()
    assert store.recover_current(index).name == live.name


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_accent_model_stops_restore_not_search(good_index, tmp_path, damage):
    """`vnsearch restore "can bo dang vien"` printed the text back unchanged when the
    accent model was damaged: a model that knew no better, as far as anyone could tell.
    Search goes on without the model; restoring says what is wrong and what to do."""
    index = tmp_path / "index"
    shutil.copytree(good_index, index)
    model = index / store.current_generation(index).name / store.MODEL
    if damage == "garbage":
        model.write_bytes(b"\x1f\x8b\x08" + b"\x5a" * 500)
    else:
        _truncate(model, 0.5)
    line = cli_fails_in_one_line(index, ["restore", "can bo dang vien"])
    assert "accent model" in line and "reindex --full" in line
    result = CliRunner().invoke(cli, ["search", "can bo", "--index", str(index)])
    assert result.exit_code == 0 and "Cán bộ số" in result.output, result.output
    good = CliRunner().invoke(cli, ["restore", "can bo dang vien", "--index", str(good_index)])
    assert good.exit_code == 0 and "cán bộ đảng viên" in good.output, good.output
