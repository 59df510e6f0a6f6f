"""Abbreviations and synonyms, expanded at query time as ``OR`` alternatives.

Why at query time: a synonym list changes (a user adds a line to
``corpus/synonyms.txt``) far more often than the documents, and expanding the
query (``ubnd`` -> ``ubnd OR "ủy ban nhân dân"``) needs no reindex at all,
while expanding at index time would need a full one after every change.

The expansion matches with a lower weight (:data:`EXPANSION_WEIGHT`) and
carries no title/accent evidence, so the form the user typed ranks first:
``ubnd`` lists documents that write *UBND* above those that write *Ủy ban
nhân dân*, and the other way round.

User file format (``corpus/synonyms.txt``, or ``--synonyms FILE``): UTF-8, one
group per line, its forms separated by commas; ``#`` starts a comment::

    # viết tắt của cơ quan
    ubnd, ủy ban nhân dân
    ô tô, xe hơi

A reindex copies the corpus's file next to the index (:func:`install`); a
search reads it again whenever it changed, so an edited file works after a
plain (incremental) reindex, and a ``--synonyms`` file with none.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from indexer.atomicfile import write_atomic
from indexer.searching.query import Unit, Word, _words

FILE_NAME = "synonyms.txt"
EXPANSION_WEIGHT = 0.5
MAX_GROUP_FORMS = 8
MAX_LINES = 10_000

# Each entry: (forms, source of the expansion / abbreviation). The official names
# come from the documents that establish them; the abbreviations are the ones
# Vietnamese official documents and the press use for them. A data table: its rows
# share one shape on purpose (duplicates lists runs of them as pairs).
BUILTIN: tuple[tuple[tuple[str, ...], str], ...] = (
    (("UBND", "ủy ban nhân dân"), "Hiến pháp 2013, Chương IX; viết tắt trong văn bản hành chính"),
    (("HĐND", "hội đồng nhân dân"), "Hiến pháp 2013, Chương IX"),
    (("TAND", "tòa án nhân dân"), "Hiến pháp 2013, Chương VIII"),
    (("VKSND", "viện kiểm sát nhân dân"), "Hiến pháp 2013, Chương VIII"),
    (("UBTVQH", "ủy ban thường vụ quốc hội"), "Hiến pháp 2013, Điều 73"),
    (("MTTQ", "mặt trận tổ quốc"), "Hiến pháp 2013, Điều 9"),
    (("TP.HCM", "TPHCM", "thành phố Hồ Chí Minh"), "tên đơn vị hành chính; viết tắt của báo chí"),
    (("BLDS", "bộ luật dân sự"), "Bộ luật Dân sự số 91/2015/QH13"),
    (("BLHS", "bộ luật hình sự"), "Bộ luật Hình sự số 100/2015/QH13"),
    (("BLTTHS", "bộ luật tố tụng hình sự"), "Bộ luật Tố tụng hình sự số 101/2015/QH13"),
    (("BLTTDS", "bộ luật tố tụng dân sự"), "Bộ luật Tố tụng dân sự số 92/2015/QH13"),
    (("BLLĐ", "bộ luật lao động"), "Bộ luật Lao động số 45/2019/QH14"),
    (("BLHH", "bộ luật hàng hải"), "Bộ luật Hàng hải Việt Nam số 95/2015/QH13"),
    (("HĐLĐ", "hợp đồng lao động"), "Bộ luật Lao động số 45/2019/QH14, Chương III; viết tắt"
     " thông dụng"),
    (("NLĐ", "người lao động"), "Bộ luật Lao động số 45/2019/QH14, Điều 3; viết tắt thông dụng"),
    (("NSDLĐ", "người sử dụng lao động"), "Bộ luật Lao động số 45/2019/QH14, Điều 3; viết tắt"
     " thông dụng"),
    (("NĐ-CP", "nghị định chính phủ"),
     "Nghị định 30/2020/NĐ-CP, Phụ lục III (NĐ: nghị định; CP: Chính phủ ban hành)"),
    (("VBQPPL", "văn bản quy phạm pháp luật"), "Luật Ban hành văn bản QPPL số 80/2015/QH13"),
    (("TTHC", "thủ tục hành chính"), "Nghị định 63/2010/NĐ-CP"),
    (("CSGT", "cảnh sát giao thông"), "Luật Công an nhân dân; viết tắt thông dụng"),
    (("THPT", "trung học phổ thông"), "Luật Giáo dục số 43/2019/QH14, Điều 6"),
    (("THCS", "trung học cơ sở"), "Luật Giáo dục số 43/2019/QH14, Điều 6"),
    (("BHXH", "bảo hiểm xã hội"), "Luật Bảo hiểm xã hội số 58/2014/QH13"),
    (("BHYT", "bảo hiểm y tế"), "Luật Bảo hiểm y tế số 25/2008/QH12"),
    (("GTGT", "giá trị gia tăng"), "Luật Thuế giá trị gia tăng số 13/2008/QH12"),
    (("TNHH", "trách nhiệm hữu hạn"), "Luật Doanh nghiệp số 59/2020/QH14"),
    (("HĐQT", "hội đồng quản trị"), "Luật Doanh nghiệp số 59/2020/QH14"),
    (("QSDĐ", "quyền sử dụng đất"), "Luật Đất đai số 31/2024/QH15"),
    (("CHXHCN", "cộng hòa xã hội chủ nghĩa"), "Hiến pháp 2013, Điều 1"),
)

Key = tuple[str, ...]


@dataclass(frozen=True)
class Synonyms:
    """Groups of equivalent forms, looked up by the folded words of a form."""

    groups: dict[Key, tuple[Key, ...]]  # form -> the other forms of its group
    words: dict[Key, list[Word]]  # form -> its query words
    longest: int
    version: tuple = ()  # changes when the user's file does (part of result cache keys)

    @classmethod
    def of(cls, groups: list[tuple[str, ...]], version: tuple = ()) -> Synonyms:
        table: dict[Key, set[Key]] = {}
        words: dict[Key, list[Word]] = {}
        for forms in groups:
            keys = []
            for form in forms[:MAX_GROUP_FORMS]:
                parsed = _words(form)
                if parsed:
                    key = tuple(w.folded for w in parsed)
                    words.setdefault(key, parsed)
                    keys.append(key)
            for key in keys:
                table.setdefault(key, set()).update(k for k in keys if k != key)
        groups_out = {k: tuple(sorted(v)) for k, v in table.items() if v}
        return cls(groups_out, words, max(map(len, groups_out), default=0), version)


def parse_file(text: str) -> list[tuple[str, ...]]:
    """Groups of a synonyms file (see the module doc); blank and comment lines skipped."""
    groups = []
    for line in text.splitlines()[:MAX_LINES]:
        line = line.split("#", 1)[0]
        forms = tuple(f.strip() for f in line.split(",") if f.strip())
        if len(forms) > 1:
            groups.append(forms)
    return groups


def builtin_groups() -> list[tuple[str, ...]]:
    return [forms for forms, _ in BUILTIN]


_cache: dict[Path | None, tuple[tuple | None, Synonyms]] = {}
_lock = threading.Lock()


def load(path: Path | None) -> Synonyms:
    """Built-in groups plus those of ``path`` (if it exists), re-read when it changes."""
    try:
        st = path.stat() if path else None
        stamp = (st.st_mtime_ns, st.st_size) if st else None
    except OSError:
        stamp = None
    with _lock:
        cached = _cache.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
    groups = builtin_groups()
    if stamp is not None:
        try:
            groups += parse_file(path.read_text("utf-8", errors="replace"))
        except OSError:
            pass
    table = Synonyms.of(groups, (str(path), stamp))
    with _lock:
        _cache[path] = (stamp, table)
    return table


def install(corpus_dir: Path, index_dir: Path) -> None:
    """Copy the corpus's synonyms file next to the index (or remove a stale copy)."""
    source, target = Path(corpus_dir) / FILE_NAME, Path(index_dir) / FILE_NAME
    if source.is_file():
        write_atomic(target, source.read_bytes())
    elif target.exists():
        target.unlink()


def _simple(unit: Unit) -> bool:
    return (unit.kind in ("word", "phrase") and not unit.negated and unit.scope is None
            and not unit.alternatives)


def expand(units: list[Unit], table: Synonyms,
           indexed: Callable[[str], bool] = lambda term: True) -> list[Unit]:
    """``units`` with every run of simple units spelling a synonym form made one unit
    whose alternatives are the group's other forms (weighted down).

    ``indexed(term)``: the index has this term; a form with a word the index lacks
    finds nothing and is left out, and so is the whole expansion when no form is
    left: an ``OR`` costs the fast top-N path (``bảo hiểm xã hội`` 3 -> 5 ms on the
    10k bench corpus, which never writes *BHXH*).
    """
    if not table.groups:
        return units
    out: list[Unit] = []
    i = 0
    while i < len(units):
        match = _match(units, i, table) if _simple(units[i]) else None
        if match is None:
            unit = units[i]
            if unit.kind == "group":
                unit.members = expand(unit.members, table, indexed)
            else:  # an exclusion, an OR's alternatives: each one as a whole, and the
                # expansions are more alternatives of the unit (they never nest)
                unit.alternatives = [*unit.alternatives, *(
                    expansion for alone in (unit, *unit.alternatives)
                    for expansion in _expansions(alone, table, indexed))]
            out.append(unit)
            i += 1
            continue
        end, key = match
        others = [other for other in table.groups[key]
                  if all(indexed(w.folded) for w in table.words[other])]
        if not others:
            out += units[i:end]
            i = end
            continue
        # What was typed keeps its meaning (words anywhere, or a phrase), grouped
        # when it is several units: (viện AND kiểm AND sát …) OR vksnd.
        unit = units[i] if end == i + 1 else Unit([], "group", members=units[i:end])
        unit.alternatives = [_expansion(table, other, key) for other in others]
        out.append(unit)
        i = end
    return out


def expand_indexed(units: list[Unit], table: Synonyms, reader) -> list[Unit]:
    """:func:`expand` with the forms the index ``reader`` has words of (the search and
    the document page expand alike)."""
    return expand(units, table, lambda term: reader.doc_frequency("all_f", term) > 0)


def _expansions(unit: Unit, table: Synonyms, indexed: Callable[[str], bool]) -> list[Unit]:
    """A word or phrase that is a synonym form by itself but was typed with an operator
    (``-ubnd``, ``UBND OR y tế``, ``title:ubnd``, ``source:BLHS``): its group's other
    forms, as alternatives an exclusion drops too and an ``OR`` or a field finds too."""
    if unit.kind not in ("word", "phrase") or not unit.words:
        return []
    key = tuple(w.folded for w in unit.words)
    if key not in table.groups:
        return []
    expansions = [_expansion(table, other, key) for other in table.groups[key]
                  if all(indexed(w.folded) for w in table.words[other])]
    for expansion in expansions:
        expansion.scope = unit.scope  # title:ubnd finds a title with Ủy ban nhân dân
    return expansions


def _match(units: list[Unit], start: int, table: Synonyms) -> tuple[int, Key] | None:
    """The longest run of simple units from ``start`` that is a synonym form."""
    best = None
    key: Key = ()
    for end in range(start, len(units)):
        if not _simple(units[end]):
            break
        key += tuple(w.folded for w in units[end].words)
        if len(key) > table.longest:
            break
        if key in table.groups:
            best = (end + 1, key)
    return best


def _expansion(table: Synonyms, key: Key, typed: Key) -> Unit:
    words = [Word(w.folded, None, w.parts) for w in table.words[key]]
    unit = Unit(words, "phrase" if len(words) > 1 else "word")
    if _letters(key) != _letters(typed):  # TP.HCM for tphcm is what was typed
        unit.weight = EXPANSION_WEIGHT
    return unit


def _letters(key: Key) -> str:
    return re.sub(r"[\W_]", "", "".join(key))
