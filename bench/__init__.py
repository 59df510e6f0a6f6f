"""vnsearch benchmarks: Whoosh (our engine) against SQLite FTS5 on generated corpora.

    .venv/bin/python -m bench [--docs 10000,100000] [--quick] [--out bench/RESULTS.md]
        [--workdir /tmp/vnsearch-bench]

Modules, in the order the suite uses them:

* :mod:`bench.corpus_gen` -- deterministic corpora resampled from the shipped one;
* :mod:`bench.queries` -- the fixed mixed query set, and its FTS5 translation;
* :mod:`bench.fts5` -- the SQLite FTS5 baseline (build, search);
* :mod:`bench.child` -- the measured work, one subprocess per measurement;
* :mod:`bench.procs` -- runs a child and samples its process tree's RSS;
* :mod:`bench.http_load` -- ``vnsearch serve`` under a bounded keep-alive load;
* :mod:`bench.report` -- the Markdown table and ``RESULTS.md``;
* :mod:`bench.suite` -- the command line, orchestrating all of the above;
* :mod:`bench.profiling` -- cProfile of indexing and of a query subset (run separately).

Generated corpora, indexes and logs live in the work directory, outside the repository.
"""
