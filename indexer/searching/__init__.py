"""Stage 4, searching: query text in, ranked and highlighted results out.

:mod:`.engine` is the open index (searchers over exactly the live commit,
:mod:`.searchers`). A query goes through the language (:mod:`.querylang`,
:mod:`.queryexpr` -> :mod:`.query`'s ``ParsedQuery``), with :mod:`.synonyms`
and the typo/Telex layer (:mod:`.forgiving`), then the planner
(:mod:`.planner`: ``ParsedQuery`` -> Whoosh query and the evidence model, with
BM25F and its Whoosh plumbing in :mod:`indexer.whoosh_ext.bm25`), then the exact top-N
(:mod:`.topdocs` over segments: :mod:`.candidates` as docnum sets, scores by
:mod:`.segmentscore`, :mod:`.maxscore` and :mod:`.arrayscore`, decoded postings
cached by :mod:`.postcache`), all within a time budget (:mod:`.budget`).
:mod:`.paging` makes one page of it (identical copies collapsed: :mod:`.duplicates`,
keyed at index time), :mod:`.facets` counts sources and years, :mod:`.highlight`
makes snippets, :mod:`.didyoumean` the suggestion; :mod:`.arguments` makes any
input safe, :mod:`.results` is the answer's shape, and :mod:`.service` ties it
together as ``search()``; :mod:`.lookups` answers everything else (one document,
sources, stats, health, suggestions).
"""
