"""Stage 2a, text: Vietnamese language facts, no index involved.

:mod:`.words` (two- to four-syllable words, from the shipped word list),
:mod:`.variants` (spellings written both ways, ``kĩ``/``kỹ``), :mod:`.telex`
(Telex/VNI typed without the input method) and :mod:`.collation` (Vietnamese
alphabetical order). Syllable tokenisation, folding and tone placement still live
with the Whoosh analyzers in :mod:`indexer.whoosh_ext.analyzers` (whose classes
are pickled in every index), which these modules use for syllables.
"""
