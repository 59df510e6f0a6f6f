"""The benchmark code must not rot: a tiny corpus, an FTS5 build, three queries, a table row."""

from __future__ import annotations

import json
import math
import unicodedata
from datetime import datetime

import indexer
from bench import corpus_gen, fts5, queries, report
from indexer.cli.evaluation import percentile
from tests.helpers import write_jsonl


def test_corpus_fts5_queries_and_table(tmp_path):
    pool = corpus_gen.load_pool()
    records = list(corpus_gen.generate(200, pool=pool))
    assert len(records) == 200
    assert records == list(corpus_gen.generate(200, pool=pool))  # deterministic
    assert len({r["id"] for r in records}) == 200
    assert {r["source"] for r in records} <= set(pool.sources)
    assert all(r["title"] and r["text"] and r["date"] for r in records)

    info = corpus_gen.write_corpus(records, tmp_path / "corpus", per_file=64)
    assert (info.docs, info.files) == (200, 4)
    assert 600 < info.text_bytes / info.docs < 2000  # ~1.2 KB a document, like the laws
    assert list(corpus_gen.iter_records(info.root)) == records

    db = tmp_path / "fts5.db"
    assert fts5.build(db, corpus_gen.iter_records(info.root)) == 200
    conn = fts5.connect(db)
    try:
        for query in ("trách nhiệm", '"phiên tòa"', "tai san*"):
            match = queries.to_fts5(query)
            found = fts5.search(conn, match)
            assert found.error is None, (query, match, found.error)
            assert found.hits and len(found.hits) == min(10, found.total)
            assert any("<mark>" in snippet for _, snippet, _ in found.hits)  # body matches
    finally:
        conn.close()

    changed = corpus_gen.change_documents(info.root, 3, seed=1, tag="t")
    assert len(set(changed)) == 3
    by_id = {r["id"]: r for r in corpus_gen.iter_records(info.root)}
    assert all("Sửa đổi t" in by_id[i]["text"] for i in changed)

    row = report.pair("index build, procs=1", 200, "time (s)", 2.0, 0.5)
    line = row.markdown()
    assert line.startswith("| index build, procs=1 | 200 | time (s) |") and "4.00×" in line
    assert report.table([row]).splitlines()[2] == line
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert math.isnan(percentile([], 50))


def test_query_set_is_fixed_and_mixed():
    pool = corpus_gen.load_pool()
    full = queries.query_set(pool, 60)
    assert len(full) == len(set(full)) == 60
    assert full == queries.query_set(pool, 60)
    assert any('"' in q for q in full) and any(q.endswith("*") for q in full)
    assert any(q.isascii() for q in full) and any(not q.isascii() for q in full)
    assert json.loads(json.dumps(queries.quick_set(pool))) == queries.quick_set(pool)
    assert queries.to_fts5('"án phí" tai san* x:y') == '"án phí" "tai" "san" * "x" "y"'


def test_relevance_baselines_and_their_section(tmp_path):
    """bench.eval_fts5: the baselines rank, and its RESULTS.md section survives a bench run."""
    from bench import eval_fts5
    from indexer.corpus.reader import Document

    docs = [Document(id="a", path="x", title="Hợp đồng lao động", body="Hợp đồng lao động ký kết."),
            Document(id="b", path="x", title="Thuế", body="Thuế thu nhập; hợp đồng thuê nhà."),
            Document(id="c", path="x", title="Hình sự", body="Vụ án hình sự.")]
    assert eval_fts5.build_bm25f(docs)("hop dong lao dong")[:2] == ["a", "b"]
    fts = eval_fts5.build_fts5(docs)
    assert fts("AND")("hợp đồng lao động") == ["a"]
    assert set(fts("OR")("hợp đồng lao động")) == {"a", "b"}

    results = tmp_path / "RESULTS.md"
    results.write_text("# old\n\n## Notes\n\n- x\n", "utf-8")
    eval_fts5.write_section(results, "| table 1 |\n")
    eval_fts5.write_section(results, "| table 2 |\n")  # replaced, not added twice
    report.write_results(results, "# vnsearch benchmark results\n\n## Notes\n\n- new\n")
    text = results.read_text("utf-8")
    assert text.count("## Relevance") == 1 and "| table 2 |" in text
    assert "| table 1 |" not in text and "- new" in text and "- x" not in text


def test_a_scripts_section_keeps_the_notes_written_under_it(tmp_path):
    """bench.formats_bench --write replaced "## Formats" up to the next "## ", deleting the
    hand-written "### Full-reindex throughput ... (issue 13)" notes under it."""
    results = tmp_path / "RESULTS.md"
    results.write_text("# r\n\n## Formats\n\n| old |\n\n### Throughput (issue 13)\n\nnotes\n"
                       "\n## Notes\n\n- x\n", "utf-8")
    report.write_section(results, "Formats", "| new |\n")
    assert results.read_text("utf-8") == ("# r\n\n## Formats\n\n| new |\n\n"
                                          "### Throughput (issue 13)\n\nnotes\n"
                                          "\n## Notes\n\n- x\n")
    report.write_section(results, "Other", "| other |\n")
    assert results.read_text("utf-8").endswith("- x\n\n## Other\n\n| other |\n")


def test_facets_bench_paths_and_summary():
    from bench import facets, http_load

    paths = http_load.request_paths(facets.WITHOUT, ["tài sản"], 2, unique=True)
    assert paths[0].startswith("/api/search?facets=0&q=") and paths[0] != paths[1]
    assert http_load.request_paths(facets.WITH, ["a b"], 1, unique=False) == [
        "/api/search?q=a%20b"]
    result = facets.Comparison(with_ms=[11.0, 12.0, 13.0], without_ms=[10.0, 10.0, 10.0])
    assert round(result.ratio(50), 2) == 1.2
    assert "1.20×" in result.summary() and "0 errors" in result.summary()


def test_hostile_queries_and_the_probe_under_load(tmp_path, make_corpus):
    """The hostile step's pieces on a tiny index: the query set, the library run and the
    probe while other connections keep requests in flight."""
    from bench import hostile, http_load
    from search_app import create_app
    from tests.helpers import LiveServer

    assert len(hostile.PHRASES_32.split('" "')) == 32 and hostile.PREFIXES_120.count("*") == 120
    assert any(len(q) <= hostile.WEB_MAX_CHARS and s == "date" and "*" in q
               for _, q, s in hostile.HOSTILE)
    corpus = make_corpus({"a.jsonl": [{"id": f"d{n}", "title": "cua nguoi", "text":
                                       " ".join(hostile.COMMON[n % 7:n % 7 + 20]),
                                       "date": "2020-01-02"} for n in range(50)]})
    indexer.reindex(corpus, tmp_path / "index")
    runs = hostile.run_library(str(tmp_path / "index"), hostile.HOSTILE[:3], 2000, 2)["runs"]
    assert [len(v) for v in runs.values()] == [2, 2, 2]
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")})
    try:
        with LiveServer(app) as server:
            port = int(server.url.rsplit(":", 1)[1])
            result = http_load.probe_under_load(
                port, ["/api/search?q=cua+nguoi&sort=date"], ["/api/search?q=co"] * 3,
                connections=2, settle=0.1, interval=0.01)
    finally:
        app.extensions["vnsearch"].close()
    assert result.errors == 0 and len(result.probe_ms) == len(result.probe_took_ms) == 3
    assert result.load_ms


def test_hostile_section_is_replaced_and_the_others_kept(tmp_path):
    results = tmp_path / "RESULTS.md"
    report.write_results(results, "# vnsearch benchmark results\n\n## Notes\n\n- main\n"
                         + report.hostile_section([], ["old run"], None, None, "", "", ""))
    from bench import eval_fts5

    eval_fts5.write_section(results, "| relevance |\n")
    for run in ("run 1", "run 2"):
        section = report.hostile_section([], [run], "python -m bench --hostile",
                                         datetime(2026, 1, 1), "1.0", "1.0", "HEAD")
        report.write_results(results, report.with_section(results, section))
    text = results.read_text("utf-8")
    assert text.count(report.HOSTILE_HEADING) == 1 and "- run 2" in text
    assert "run 1" not in text and "old run" not in text
    assert text.count("## Relevance") == 1 and "| relevance |" in text and "- main" in text


def test_relevance_set_from_a_jsonl_file_outside_the_work_folder(tmp_path):
    """lohelp's pages.jsonl lives in shared/: it used to be symlinked into the corpus, which
    the confined walk skips, so the set ran on 0 documents and crashed (ZeroDivisionError)."""
    from bench import eval_fts5

    data = tmp_path / "data"
    pages = write_jsonl(data / "pages.jsonl", [
        {"id": "a", "title": "Hợp đồng lao động", "text": "Hợp đồng lao động ký kết."},
        {"id": "b", "title": "Thuế", "text": "Thuế thu nhập cá nhân."}])
    (data / "q.tsv").write_text("1\thợp đồng; lao động\n", "utf-8")
    (data / "qrels.tsv").write_text("1 0 a 1\n", "utf-8")
    spec = {"pages": pages, "queries": data / "q.tsv", "qrels": data / "qrels.tsv",
            "clean": True}
    (tmp_path / "work").mkdir()
    rows = dict(eval_fts5.run_set("tiny", spec, tmp_path / "work", None))
    assert rows["tiny | vnsearch | unaccented"]["mrr@10"] == 1.0


def test_the_warm_latency_pass_searches_again(shipped_index):
    """The latency child empties the library's result cache between its two passes: when
    it reached into a private attribute that the cache no longer had, the warm pass
    timed cache hits (p50 0.07 ms at 10k documents) and the bench only said so in a note."""
    from bench import child

    found = child.latency_whoosh(str(shipped_index), ["hop dong", "cán bộ đảng viên"])
    assert found["cache_cleared"]
    assert min(found["warm_ms"]) > 0.5  # searched, not recalled (a cache hit is ~0.05 ms)
    assert found["timed_out"] == [[], []]


def test_the_latency_child_says_which_queries_hit_the_time_budget(shipped_index, monkeypatch):
    """At 1M documents some bench queries stopped at the 2 s budget: their latency was the
    budget's and their totals cut short, and nothing in the table said so."""
    from bench import child

    monkeypatch.setenv("VNSEARCH_QUERY_BUDGET_MS", "1")  # under any real search's time
    found = child.latency_whoosh(str(shipped_index), ["hợp đồng lao động", "tòa án nhân dân"])
    assert found["timed_out"][0] and found["timed_out"][1]
    assert set(found["timed_out"][1]) <= {"hợp đồng lao động", "tòa án nhân dân"}


def test_formats_bench_counts_words_back_exactly_with_their_marks():
    from bench.formats_bench import word_recall

    written = "Cán bộ đảng viên, gương mẫu cho dân."
    assert word_recall(written, written) == (8, 8, 7, 7)
    assert word_recall(written, "Can bo đảng viên, guong mau cho dân.") == (4, 8, 3, 7)
    assert word_recall(written, unicodedata.normalize("NFD", written)) == (8, 8, 7, 7)


def test_growth_table_lines_up_each_paired_figure_across_sizes():
    """Issue 16's growth table: one line per figure both engines have at two or more
    sizes, a column per size with the ratio at that size; nothing with one size."""
    from bench.report import Row, growth, pair, results_md

    rows = [pair("query latency, warm", 10_000, "p50 (ms)", 2.0, 4.0),
            pair("query latency, warm", 100_000, "p50 (ms)", 30.0, 40.0),
            Row("incremental reindex", 100_000, "1 changed doc (s)", "1.3 s"),
            pair("index build, procs=2", 10_000, "time (s)", 16.0, 0.8)]
    assert growth(rows).splitlines() == [
        "| Area | Metric | 10,000 docs | 100,000 docs |",
        "|---|---|---:|---:|",
        "| query latency, warm | p50 (ms) | 2.00 / 4.00 = 0.500× | 30.0 / 40.0 = 0.750× |"]
    assert growth(rows[1:3]) == ""
    text = results_md("cmd", rows, {"nproc": "2", "cpu": "x", "ram": "1 GiB", "os": "L",
                                    "python": "3", "whoosh": "2", "sqlite": "3"},
                      "code", [], datetime(2026, 1, 1), 60, "0", "0")
    assert text.index("## Growth") < text.index("## Notes")


def test_the_relevance_section_keeps_the_notes_written_under_it(tmp_path):
    """bench.eval_fts5 --write had its own copy of write_section, which replaced
    "## Relevance" up to the next "## " and deleted the "### " notes under it."""
    from bench.eval_fts5 import write_section

    results = tmp_path / "RESULTS.md"
    results.write_text("# r\n\n## Relevance\n\n| old |\n\n### Speed (issue 11)\n\nnotes\n"
                       "\n## Formats\n\n- x\n", "utf-8")
    write_section(results, "| new |\n")
    text = results.read_text("utf-8")
    assert "| old |" not in text and "| new |" in text
    assert text.index("| new |") < text.index("### Speed (issue 11)\n\nnotes\n") < text.index(
        "## Formats")


def test_the_measured_code_is_byte_compiled_as_an_installed_package_is(tmp_path):
    # Without .pyc files every measured process compiled the library first (this
    # machine sets PYTHONDONTWRITEBYTECODE): ~0.2 s charged to the first query.
    import shutil
    import subprocess

    from bench import procs

    if shutil.which("git") is None or subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=procs.ROOT, capture_output=True).returncode:
        import pytest
        pytest.skip("needs the git repository")
    _, folder = procs.snapshot_head(tmp_path)
    sources = {p.stem for p in (folder / "indexer" / "searching").glob("*.py")}
    compiled = {p.name.split(".")[0]
                for p in (folder / "indexer" / "searching" / "__pycache__").glob("*.pyc")}
    assert sources and sources <= compiled


def test_sizes_above_the_procs1_limit_build_with_procs_2_alone(tmp_path):
    """Issue 16: a procs=1 build of 1M documents takes ~50 min on this 2-core machine, so
    sizes above the limit build with procs=2 only and search, reindex and load that index."""
    from bench import suite

    settings = suite.parse_args(["--docs", "10000,100000,1000000", "--workdir",
                                 str(tmp_path)])
    assert settings.sizes == (10_000, 100_000, 1_000_000)
    assert settings.procs1_max_docs == suite.PROCS1_MAX_DOCS == 100_000
    assert [suite.build_procs(n, settings.procs1_max_docs) for n in settings.sizes] == [
        (1, 2), (1, 2), (2,)]
    runner = suite.Suite(settings)
    assert runner.index_of(100_000) == tmp_path / "n100000" / "whoosh-p1"
    assert runner.index_of(1_000_000) == tmp_path / "n1000000" / "whoosh-p2"
    lowered = suite.parse_args(["--docs", "200,500", "--procs1-max-docs", "300",
                                "--workdir", str(tmp_path)])
    assert suite.Suite(lowered).index_of(500).name == "whoosh-p2"


def test_growth_shows_incremental_and_http_figures_alone():
    from bench.report import Row, growth, pair

    rows = [pair("query latency, warm", 10_000, "p50 (ms)", 2.0, 4.0),
            Row("incremental reindex", 10_000, "1 changed doc (s)", "0.5 s"),
            Row("HTTP", 10_000, "server peak RSS", "90 MB"),
            Row("index build, procs=1", 1_000_000, "not run", "—"),
            pair("query latency, warm", 1_000_000, "p50 (ms)", 30.0, 40.0),
            Row("incremental reindex", 1_000_000, "1 changed doc (s)", "1.2 s"),
            Row("HTTP", 1_000_000, "server peak RSS", "900 MB")]
    lines = growth(rows).splitlines()
    assert lines[0] == "| Area | Metric | 10,000 docs | 1,000,000 docs |"
    assert lines[3] == "| incremental reindex | 1 changed doc (s) | 0.5 s | 1.2 s |"
    assert lines[4] == "| HTTP | server peak RSS | 90 MB | 900 MB |"
    assert len(lines) == 5


def test_the_memory_sampler_reads_private_and_anonymous_memory():
    import os

    from bench.procs import tree_private, tree_rss

    private, anonymous = tree_private(os.getpid())
    assert 0 < anonymous <= tree_rss(os.getpid()) and 0 < private <= tree_rss(os.getpid())


def test_the_scale_section_survives_a_default_bench_run(tmp_path):
    """make bench-1m's growth table is copied by hand into "## Scale": the 10k/100k run,
    which rewrites the top of RESULTS.md, keeps it, with the notes under it."""
    results = tmp_path / "RESULTS.md"
    results.write_text("# r\n\n## Notes\n\n- old\n\n## Scale\n\n| growth |\n\n### Targets\n\n"
                       "- met\n\n## Relevance\n\n| rel |\n", "utf-8")
    report.write_results(results, "# vnsearch benchmark results\n\n## Notes\n\n- new\n")
    text = results.read_text("utf-8")
    assert "- old" not in text and "- new" in text
    assert "## Scale\n\n| growth |\n\n### Targets\n\n- met\n" in text
    assert text.index("## Scale") < text.index("## Relevance")


def test_the_http_step_alone_needs_a_full_runs_index(tmp_path, capsys):
    from bench import suite

    assert suite.main(["--http", "--docs", "1000000", "--code", "worktree",
                       "--workdir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "| HTTP | 1,000,000 | server | FAILED |" in out
    assert f"no index at {tmp_path / 'n1000000' / 'whoosh-p2'}" in out
    assert not (tmp_path / "RESULTS.md").exists()
