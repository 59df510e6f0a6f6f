"""Deterministic benchmark corpora resampled from the shipped corpus.

The sentence pool is every sentence of the law articles (``corpus/laws``) and
of the two news pages (``corpus/news``, parsed by the library's page parser).
Each generated document gets

* an id (``gen-0000042``),
* a title: a law article title or a sentence's first words, half and half,
* a body of whole sentences whose UTF-8 length follows the law articles' own
  length distribution (a target length is drawn from a random article, and
  sentences are added while that brings the body nearer to it), so that the average
  document (title + text) stays ~1.1 KB like the shipped articles,
* the source of the document its first sentence came from (one of the six law
  codes or the two news sites), and a date between 2000 and 2024.

Everything is drawn from ``random.Random(seed)``: the same ``(n, seed)`` gives
byte-identical files. Documents are written as JSONL, 1,000 records a file.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import indexer

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "corpus"
SEED = 42
PER_FILE = 1000
TITLE_WORDS = 12
FIRST_DAY = date(2000, 1, 1)
DAYS = (date(2024, 12, 31) - FIRST_DAY).days

# A sentence ends at . ; ! ? (not after a bare clause number such as "1.") or a newline.
_SENTENCE_END = re.compile(r"(?<=[^\d\s][.;!?])\s+|\n+")


@dataclass(frozen=True)
class Pool:
    """What documents are resampled from."""

    sentences: list[tuple[str, str]]  # (sentence, source)
    titles: list[str]  # law article titles
    lengths: list[int]  # UTF-8 byte lengths of the law articles' texts

    @property
    def sources(self) -> list[str]:
        return sorted({source for _, source in self.sentences})


@dataclass(frozen=True)
class CorpusInfo:
    """A generated corpus on disk."""

    root: Path
    docs: int
    files: int
    file_bytes: int  # JSONL bytes on disk
    text_bytes: int  # UTF-8 bytes of title + text, the basis of MB/s figures


def split_sentences(text: str) -> list[str]:
    """Sentences of at least three words, punctuation kept."""
    parts = (part.strip() for part in _SENTENCE_END.split(text))
    return [part for part in parts if len(part.split()) >= 3]


def load_pool(corpus_dir: Path = SHIPPED) -> Pool:
    """The sentence pool of the shipped corpus (laws + news pages), in a stable order."""
    sentences: list[tuple[str, str]] = []
    titles: list[str] = []
    lengths: list[int] = []
    for doc in indexer.read_corpus(Path(corpus_dir)):
        source = doc.source or "news"
        if doc.path.endswith(".jsonl"):
            titles.append(doc.title)
            lengths.append(len(doc.body.encode("utf-8")))
        sentences += [(s, source) for s in split_sentences(doc.body)]
    if not sentences or not titles:
        raise ValueError(f"no sentences or law titles found in {corpus_dir}")
    return Pool(sentences, titles, lengths)


def generate(n: int, seed: int = SEED, pool: Pool | None = None) -> Iterator[dict]:
    """``n`` JSONL records (dicts with id, title, text, source, date), deterministically."""
    pool = pool or load_pool()
    rng = random.Random(seed)
    sentences, titles, lengths = pool.sentences, pool.titles, pool.lengths
    for i in range(n):
        target = rng.choice(lengths)
        first, source = rng.choice(sentences)
        body = [first]
        size = len(first.encode("utf-8"))
        while size < target:
            sentence, _ = rng.choice(sentences)
            grown = size + len(sentence.encode("utf-8")) + 1
            if grown - target > target - size:  # stop at the length nearest the target
                break
            body.append(sentence)
            size = grown
        if rng.random() < 0.5:
            title = rng.choice(titles)
        else:
            title = " ".join(rng.choice(sentences)[0].split()[:TITLE_WORDS]).rstrip(",;:.")
        # Clauses on their own lines, as in the law texts, now and then.
        sep = "\n" if rng.random() < 0.4 else " "
        yield {
            "id": f"gen-{i:07d}",
            "title": title,
            "text": sep.join(body),
            "source": source,
            "date": (FIRST_DAY + timedelta(days=rng.randrange(DAYS + 1))).isoformat(),
        }


def file_name(index: int) -> str:
    return f"part-{index:04d}.jsonl"


def write_corpus(records: Iterable[dict], root: Path, per_file: int = PER_FILE) -> CorpusInfo:
    """Write ``records`` as JSONL files of ``per_file`` records under a fresh ``root``."""
    root = Path(root)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    docs = files = file_bytes = text_bytes = 0
    out = None
    try:
        for record in records:
            if docs % per_file == 0:
                if out:
                    out.close()
                out = open(root / file_name(files), "w", encoding="utf-8")
                files += 1
            line = json.dumps(record, ensure_ascii=False) + "\n"
            out.write(line)
            file_bytes += len(line.encode("utf-8"))
            text_bytes += len((record["title"] + record["text"]).encode("utf-8"))
            docs += 1
    finally:
        if out:
            out.close()
    return CorpusInfo(root, docs, files, file_bytes, text_bytes)


def iter_records(root: Path) -> Iterator[dict]:
    """The records of a generated corpus, read back in file order."""
    for path in sorted(Path(root).glob("*.jsonl")):
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    yield json.loads(line)


def change_documents(root: Path, count: int, seed: int, tag: str) -> list[str]:
    """Edit the text of ``count`` records spread over the files; return their ids.

    Each touched file is rewritten whole (new inode and mtime, longer size),
    as an editor or an export job would.
    """
    paths = sorted(Path(root).glob("*.jsonl"))
    rng = random.Random(seed)
    n_files = min(len(paths), max(1, count // 2))
    chosen = sorted(rng.sample(range(len(paths)), n_files))
    per_file: dict[int, int] = {}
    for k in range(count):
        per_file[chosen[k % n_files]] = per_file.get(chosen[k % n_files], 0) + 1
    changed: list[str] = []
    for file_index, how_many in sorted(per_file.items()):
        path = paths[file_index]
        lines = path.read_text("utf-8").splitlines(keepends=True)
        for line_no in sorted(rng.sample(range(len(lines)), min(how_many, len(lines)))):
            record = json.loads(lines[line_no])
            record["text"] += f"\nSửa đổi {tag}: nội dung điều khoản được cập nhật."
            lines[line_no] = json.dumps(record, ensure_ascii=False) + "\n"
            changed.append(record["id"])
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(lines), "utf-8")
        os.replace(tmp, path)
    return changed
