"""Evaluation: the metrics on hand-made rankings, TREC files in and out, `vnsearch eval`."""

from __future__ import annotations

import json
import math
import re

import pytest
from click.testing import CliRunner

import indexer
from indexer.cli import evaluation
from indexer.cli.commands import cli
from tests.helpers import write_jsonl


@pytest.mark.parametrize("ranked, relevant, expected", [
    (["a", "b", "c"], {"b": 1}, (0.5, 1.0, 1 / math.log2(3))),
    (["c", "a"], {"a": 2, "c": 1, "z": 1},
     (1.0, 2 / 3, (1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3) + 1 / 2))),
    ([f"d{i}" for i in range(10)] + ["hit"], {"hit": 1}, (0.0, 0.0, 0.0)),  # rank 11: missed
    (["a", "b"], {"a": 0, "b": -1}, (0.0, 0.0, 0.0)),  # judged, not relevant
    ([], {"a": 1, "b": 1}, (0.0, 0.0, 0.0)),
    (["x", "a", "y", "b"], {"a": 1, "b": 1},
     (0.5, 1.0, (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3)))),
])
def test_metrics_on_hand_made_rankings(ranked, relevant, expected):
    assert evaluation.metrics(ranked, relevant) == pytest.approx(expected)


def test_means_over_queries():
    results = [evaluation.score("1", "q", ["a", "b"], {"b": 1}, ms=4.0),
               evaluation.score("2", "q", ["a"], {"a": 1}, ms=2.0),
               evaluation.score("3", "q", [], {"a": 1}, ms=9.0)]
    report = evaluation.summarise(results)
    assert report["queries"] == 3
    assert report["mrr@10"] == pytest.approx((0.5 + 1 + 0) / 3)
    assert report["recall@10"] == pytest.approx(2 / 3)
    assert (report["p50_ms"], report["p95_ms"]) == (4.0, pytest.approx(8.5))  # interpolated
    assert [r.first_relevant for r in results] == [2, 1, None]
    assert [r.qid for r in evaluation.worst(results, 2)] == ["3", "1"]
    assert evaluation.summarise([])["mrr@10"] == 0.0


def test_reading_trec_files(tmp_path):
    queries = tmp_path / "q.tsv"
    queries.write_text("1\tcán bộ\n2\t  \nno tab here\n 3 \thợp đồng; lao động\n", "utf-8")
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text("1 0 doc/a 1\n1\t0\tdoc/b\t2\n3 0 c -1\nbroken line\n4 0 d x\n", "utf-8")
    assert evaluation.read_queries(queries) == [("1", "cán bộ"), ("3", "hợp đồng; lao động")]
    assert evaluation.read_qrels(qrels) == {"1": {"doc/a": 1, "doc/b": 2}, "3": {"c": -1}}
    prepared = evaluation.judged(evaluation.read_queries(queries),
                                 evaluation.read_qrels(qrels), clean=True, unaccent=True)
    assert prepared == [("1", "can bo"), ("3", "hop dong lao dong")]


@pytest.mark.parametrize("raw, cleaned", [
    ("bảng tính -- chèn ngắt cột", "bảng tính chèn ngắt cột"),
    ('Hàm; "IsObject", (mẫu)', "Hàm IsObject mẫu"),
    ("a-b c", "a-b c"),  # one hyphen is part of a word
])
def test_clean_query_removes_index_separators(raw, cleaned):
    assert evaluation.clean_query(raw) == cleaned


def test_run_file_is_trec_format(tmp_path):
    results = [evaluation.score("q1", "x", ["a", "b c"], {}, scores=[2.5, 1.25]),
               evaluation.score("q2", "y", [], {})]
    path = tmp_path / "run.txt"
    evaluation.write_run(results, path)
    assert path.read_text("utf-8").splitlines() == [
        "q1 Q0 a 1 2.5000 vnsearch", "q1 Q0 b%20c 2 1.2500 vnsearch"]


# -- vnsearch eval --------------------------------------------------------------------------

DOCS = [
    {"id": "contract", "title": "Hợp đồng lao động", "text": "Hợp đồng lao động được ký kết."},
    {"id": "crime", "title": "Vụ án hình sự", "text": "Vụ án hình sự được xét xử."},
    {"id": "tax", "title": "Thuế thu nhập", "text": "Thuế thu nhập cá nhân phải nộp."},
]


@pytest.fixture(scope="module")
def eval_set(tmp_path_factory):
    root = tmp_path_factory.mktemp("eval")
    write_jsonl(root / "corpus" / "docs.jsonl", DOCS)
    indexer.reindex(root / "corpus", root / "index")
    (root / "queries.tsv").write_text(
        "q1\thợp đồng -- lao động\nq2\tvụ án; hình sự\nq3\tthuế\nq4\tunjudged\n", "utf-8")
    (root / "qrels.tsv").write_text(
        "q1 0 contract 1\nq2 0 crime 1\nq3 0 contract 1\n", "utf-8")
    return root


def run_eval(root, *extra):
    return CliRunner().invoke(cli, ["eval", str(root / "queries.tsv"), str(root / "qrels.tsv"),
                                    "--index", str(root / "index"), *extra])


def test_eval_prints_figures_worst_queries_and_a_run_file(eval_set, tmp_path):
    run_path = tmp_path / "dev.run"
    result = run_eval(eval_set, "--clean", "--worst", "1", "--runs", str(run_path))
    assert result.exit_code == 0, result.output
    assert "queries        3" in result.stdout
    assert "mrr@10         0.6667" in result.stdout  # q3 finds the tax page, not contract
    worst = result.stdout.split("worst 1 queries")[1].splitlines()[2]
    assert worst.split()[:3] == ["q3", "-", "thuế"] and "tax  Thuế thu nhập" in worst
    lines = run_path.read_text("utf-8").splitlines()
    assert lines[0].startswith("q1 Q0 contract 1 ") and lines[0].endswith(" vnsearch")
    assert {line.split()[0] for line in lines} == {"q1", "q2", "q3"}
    assert all(len(line.split()) == 6 for line in lines)


def test_eval_json_has_the_worst_queries(eval_set):
    result = run_eval(eval_set, "--json", "--worst", "5", "--unaccent", "--clean")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["unaccent"] and report["clean"] and report["queries"] == 3
    assert [w["qid"] for w in report["worst"]][0] == "q3"
    assert report["worst"][0]["first_relevant"] is None and report["worst"][0]["top"] == ["tax"]


@pytest.mark.parametrize("count", [40, 120])
def test_eval_shows_progress_on_stderr(eval_set, tmp_path, monkeypatch, count):
    """Without a terminal, a line every few seconds with rate and ETA, however few the
    queries (under 100 queries eval printed nothing at all, however long it ran)."""
    import indexer.cli.progress

    monkeypatch.setattr(indexer.cli.progress, "LINE_EVERY_S", 0.0)  # "a few seconds" passed
    (tmp_path / "q.tsv").write_text("".join(f"q{i}\thợp đồng\n" for i in range(count)),
                                    "utf-8")
    (tmp_path / "r.tsv").write_text("".join(f"q{i} 0 contract 1\n" for i in range(count)),
                                    "utf-8")
    result = CliRunner().invoke(cli, ["eval", str(tmp_path / "q.tsv"), str(tmp_path / "r.tsv"),
                                      "--index", str(eval_set / "index")])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == count + 1  # every query (no pause needed here), then the end
    assert re.fullmatch(rf"eval: +\d% \(1/{count} queries, [\d,.]+/s, ETA \d:\d\d:\d\d\)",
                        lines[0])
    assert re.fullmatch(rf"eval: 100% \({count}/{count} queries, [\d,.]+/s, took [\d:]+\)",
                        lines[-1])
    assert "mrr@10         1.0000" in result.stdout


@pytest.mark.parametrize("which, code, message", [
    ("queries", 2, "does not exist"),
    ("qrels", 2, "does not exist"),
    ("index", 1, "Error:"),
])
def test_eval_missing_files_exit_non_zero(eval_set, tmp_path, which, code, message):
    paths = {"queries": eval_set / "queries.tsv", "qrels": eval_set / "qrels.tsv",
             "index": eval_set / "index"}
    paths[which] = tmp_path / "missing"
    result = CliRunner().invoke(cli, ["eval", str(paths["queries"]), str(paths["qrels"]),
                                      "--index", str(paths["index"])])
    assert result.exit_code == code and message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("which, content, message", [
    ("queries", b"\xff\xfeq1\th\xe1\n", "queries file"),  # not UTF-8: was blamed on the index
    ("qrels", b"q1 0 contract \xff\n", "qrels file"),
    ("queries", b"no tab here\n", "no query to evaluate"),  # nothing judged: was all zeros
    ("qrels", b"", "no query to evaluate"),
])
def test_eval_names_the_file_that_cannot_be_used(eval_set, tmp_path, which, content, message):
    paths = {"queries": eval_set / "queries.tsv", "qrels": eval_set / "qrels.tsv"}
    paths[which] = tmp_path / f"bad-{which}.tsv"
    paths[which].write_bytes(content)
    result = CliRunner().invoke(cli, ["eval", str(paths["queries"]), str(paths["qrels"]),
                                      "--index", str(eval_set / "index")])
    assert result.exit_code == 1 and message in result.output
    assert "index" not in result.output.replace(str(eval_set / "index"), "")
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_an_id_with_a_space_is_judged_as_its_run_file_spells_it(tmp_path):
    """Found by a QA pass: the run wrote 'my%20file.txt' while qrels were never decoded,
    so a document id with a space (a file path) could never be judged relevant."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "my file.txt").write_text("Tiêu đề\n\nnội dung xyz đặc biệt\n", "utf-8")
    (corpus / "50%.txt").write_text("Khác\n\nnội dung khác\n", "utf-8")
    indexer.reindex(corpus, tmp_path / "index")
    (tmp_path / "q.tsv").write_text("Q1\txyz đặc biệt\nQ2\tnội dung khác\n", "utf-8")
    (tmp_path / "r.tsv").write_text("Q1 0 my%20file.txt 1\nQ2 0 50%25.txt 1\n", "utf-8")
    result = CliRunner().invoke(cli, ["eval", str(tmp_path / "q.tsv"), str(tmp_path / "r.tsv"),
                                      "--index", str(tmp_path / "index"), "--json",
                                      "--runs", str(tmp_path / "run.txt")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["mrr@10"] == 1.0
    run = (tmp_path / "run.txt").read_text("utf-8")
    assert "Q1 Q0 my%20file.txt 1" in run and "Q2 Q0 50%25.txt 1" in run


def test_a_run_file_that_cannot_be_written_fails_before_the_queries(eval_set, tmp_path,
                                                                      monkeypatch):
    """Found by a QA pass: every query was searched, then the figures were lost."""
    searched = []
    monkeypatch.setattr(evaluation, "search", lambda *a, **k: searched.append(a))
    result = run_eval(eval_set, "--runs", str(tmp_path / "missing" / "run.txt"))
    assert result.exit_code == 1 and "cannot write the run file" in result.output
    assert searched == []


def test_qrels_that_match_no_ranked_document_are_warned_about(eval_set, tmp_path):
    (tmp_path / "r.tsv").write_text("q1 0 nowhere 1\nq2 0 elsewhere 1\n", "utf-8")
    result = CliRunner().invoke(cli, ["eval", str(eval_set / "queries.tsv"),
                                      str(tmp_path / "r.tsv"), "--index",
                                      str(eval_set / "index")])
    assert result.exit_code == 0 and "no judged document is in any top 10" in result.output
    assert "no judged document" not in run_eval(eval_set).output
