"""Stage 2a, text: Vietnamese language facts, no index involved.

:mod:`.syllables` (tokenisation into syllables with offsets, the indexing pass),
:mod:`.folding` (folded and accented forms, canonical tone placement),
:mod:`.words` (two- to four-syllable words, from the shipped word list),
:mod:`.variants` (spellings written both ways, ``kĩ``/``kỹ``), :mod:`.telex`
(Telex/VNI typed without the input method), :mod:`.collation` (Vietnamese
alphabetical order) and :mod:`.numbers` (numbers as Vietnamese writes them). The
Whoosh analyzers pickled in every index (:mod:`indexer.whoosh_ext.analyzers`) only
apply :mod:`.syllables` and :mod:`.folding`.
"""
