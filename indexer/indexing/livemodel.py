"""The accent model an incremental reindex updates: loaded, or rebuilt after a crash.

The model's counts must stay those a fresh build of the same corpus would have:
documents deleted or replaced are uncounted from their stored text, and a model left
behind by a run stopped after its commit is rebuilt from the index (the caller then
uncounts what it writes again, :func:`indexer.indexing.reindex._incremental`).
"""

from __future__ import annotations

from pathlib import Path

from indexer.accents.model import AccentModel
from indexer.indexing import generations as store


def uncount(model: AccentModel, stored: dict) -> None:
    """Take a stored document out of the model's counts (it is deleted or replaced)."""
    try:
        model.remove(stored.get("title", ""))
        model.remove(stored.get("body", ""))
    except ValueError:  # the model drifted after a crash; a --full rebuild resets it
        pass


def load_model(generation: Path, ix, meta: dict, notes: list[str]) -> AccentModel:
    """The stored model, or one rebuilt from the index if a crash left it behind."""
    path = generation / store.MODEL
    if meta.get("whoosh_generation") == ix.latest_generation() and path.exists():
        try:
            return AccentModel.load(path)
        except Exception:  # a damaged side file is rebuilt, never fatal
            pass
    notes.append("accent model was out of date; rebuilt from the index")
    counting = AccentModel.builder()
    with ix.searcher() as searcher:
        for stored in searcher.all_stored_fields():
            counting.add(stored.get("title", ""))
            counting.add(stored.get("body", ""))
    return counting.finish()
