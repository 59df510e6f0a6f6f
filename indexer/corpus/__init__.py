"""Stage 1, the corpus: files and records -> :class:`~indexer.corpus.documents.Document`.

No Whoosh here. :mod:`.sources` walks the corpus folder (never leaving it) and
opens each file; :mod:`.reader` dispatches by kind: JSONL collections streamed
record by record (:mod:`.jsonl`), scraped news pages (:mod:`.pages` decides what
the text means, :mod:`.html_text` extracts it, :mod:`.sites` names the site) and
office and data formats (:mod:`.formats`, each imported only when such a file is
read). :mod:`.documents` holds the record every later stage sees and the text
clean-up files and records share; :mod:`.dates` is the one reading of dates;
:mod:`.problems` what a read reports (files left out, warnings) instead of
raising: a bad file is normal input.
"""
