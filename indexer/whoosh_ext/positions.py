"""Where given terms stand in given documents: positions read from the postings.

Why: the rescoring of the top of a ranking (:mod:`indexer.searching.rescore`) asks
how close together a document holds the query's words, for a few dozen documents.
The positions are in the postings of the positional field already (``all_f``), so
they are read there, each term's list skipped to each document in docnum order,
instead of re-analysing stored texts (decompressing a body costs more than all the
skips together). In :mod:`indexer.whoosh_ext` because it walks Whoosh's matchers.
"""

from __future__ import annotations

from collections.abc import Iterable

from whoosh.reading import TermNotFound


def term_positions(searcher, fieldname: str, terms: Iterable[str],
                   docnums: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
    """``{docnum: [(position, term), …]}`` of every ``terms`` occurrence in ``fieldname``
    of each of ``docnums`` (global docnums; documents holding none are left out)."""
    wanted = sorted(set(docnums))
    found: dict[int, list[tuple[int, str]]] = {}
    schema_field = searcher.schema[fieldname] if fieldname in searcher.schema else None
    if schema_field is None or not wanted:
        return found
    leaves = list(searcher.reader().leaf_readers())
    for index, (leaf, offset) in enumerate(leaves):
        end = leaves[index + 1][1] if index + 1 < len(leaves) else None
        local = [d - offset for d in wanted if d >= offset and (end is None or d < end)]
        if not local:
            continue
        for term in dict.fromkeys(terms):
            try:
                btext = schema_field.to_bytes(term)
            except ValueError:
                continue
            try:
                matcher = leaf.postings(fieldname, btext)
            except TermNotFound:
                continue
            seek = getattr(matcher, "seek", None) or (lambda d, m=matcher: _skip(m, d))
            for docnum in local:
                if seek(docnum):
                    found.setdefault(docnum + offset, []).extend(
                        (position, term) for position in matcher.value_as("positions"))
                elif not matcher.is_active():
                    break
    return found


def _skip(matcher, docnum: int) -> bool:
    """Whoosh's ``skip_to`` (matchers without :meth:`~indexer.whoosh_ext.codec.
    CompactLeafMatcher.seek`: inlined lists); True if the matcher is on ``docnum``."""
    if not matcher.is_active():
        return False
    if matcher.id() < docnum:
        matcher.skip_to(docnum)
    return matcher.is_active() and matcher.id() == docnum
