"""Stage 2b, accents: what the corpus teaches about writing, for suggestions.

:mod:`.ngrams` keeps compact trigram counts with Kneser-Ney scores;
:mod:`.model` is the accent/spelling model built from them at index time
(restoring marks: ``can bo`` -> *cán bộ*, did-you-mean, autocomplete), backed on
a small corpus by the shipped :mod:`.basemodel`. :mod:`.wording` keeps only
suggestions that are language, :mod:`.casing` gives them the corpus's capitals,
and :mod:`.typos` corrects one edit per word at search time.
"""
