"""The search server's C heap options (indexer.searching.heap)."""

from __future__ import annotations

import ctypes.util
import platform

import pytest

import indexer
from indexer.searching import heap


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="mallopt is glibc's")
def test_the_server_heap_gets_two_arenas_and_a_fixed_mmap_threshold(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    assert indexer.tune_server_heap() == {"MALLOC_ARENA_MAX": heap.ARENAS,
                                          "MALLOC_MMAP_THRESHOLD_": heap.MMAP_THRESHOLD}


def test_a_heap_variable_the_user_set_wins(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    assert indexer.tune_server_heap() == {}


def test_a_c_library_without_mallopt_changes_nothing(monkeypatch):
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: "/no/such/libc.so")
    assert indexer.tune_server_heap() == {}
