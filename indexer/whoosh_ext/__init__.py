"""Our extensions to Whoosh: the one package that uses its internals (its codec,
writer, file storage, matchers, scorers and private names; ``tests/test_layout.py``
checks that no other module does).

Every index pickles class paths from here (and from
:mod:`indexer.indexing.schema`), so moving a class is a schema change: bump
``SCHEMA_VERSION`` (``tests/test_layout.py`` pins the set).

:mod:`.analyzers` are the ``Tokenizer | Filter`` chains of the text fields
(over :mod:`indexer.text.syllables` and :mod:`indexer.text.folding`);
:mod:`.fieldterms` is what one document puts in each field; :mod:`.codec` is the
on-disk posting format, Whoosh's W3 codec with the compact blocks of
:mod:`.blocks`; :mod:`.segfiles` reads segment files straight from the memory
map; :mod:`.segment_writer` writes a whole segment in one pass for full rebuilds.
Searching uses :mod:`.bm25` (BM25F over array lengths, term, coverage and AndNot queries),
:mod:`.readers` (bulk reads of lengths and columns, a reader over one commit),
:mod:`.readerstate` (our per-reader caches, beside the readers) and :mod:`.damage`
(which exceptions mean a damaged index).
"""
