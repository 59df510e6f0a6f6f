"""The compact posting-block format: what is written is what is read back."""

from __future__ import annotations

import zlib
from array import array

import pytest
from hypothesis import given
from hypothesis import strategies as st

import indexer
from indexer.errors import IndexDamagedError
from indexer.indexing.generations import open_generation
from indexer.whoosh_ext.blocks import decode_block, encode_block
from indexer.whoosh_ext.codec import read_postings

postings = st.integers(min_value=1, max_value=128).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 2**31), min_size=n, max_size=n, unique=True).map(sorted),
    st.lists(st.one_of(st.integers(1, 70000).map(float),
                       st.floats(0.25, 1e6, allow_nan=False, width=32)), min_size=n, max_size=n),
    st.one_of(st.just([]), st.lists(st.binary(min_size=1, max_size=300), min_size=n,
                                    max_size=n)),
))


@given(postings, st.booleans())
def test_a_block_round_trips(block, compressed):
    ids, weights, values = block
    data = encode_block(ids, weights, values)
    if compressed:
        data = zlib.compress(data, 3)
    got_ids, got_weights, got_values = decode_block(data, len(ids), compressed)
    assert got_ids == ids
    assert got_weights == weights
    assert got_values == (values or None)


def reference_encode_block(ids, weights, values) -> bytes:
    """encode_block as first written, over arrays (slower, obviously right)."""
    from indexer.whoosh_ext.blocks import _TYPECODES, _smallest, _to_bytes

    deltas = array("I", ids)
    if len(deltas) > 1:
        deltas = array("I", [deltas[0]]) + array("I", map(int.__sub__, deltas[1:], deltas[:-1]))
    id_code = _smallest(max(deltas))
    parts = [b"", _to_bytes(array(_TYPECODES[id_code], deltas))]
    if min(weights) == 1.0 == max(weights):
        weight_code = 255
    else:
        counts = array("I", map(int, weights)) if min(weights) >= 0 else None
        if counts is not None and array("f", counts) == array("f", weights):
            weight_code = _smallest(max(counts))
            parts.append(_to_bytes(array(_TYPECODES[weight_code], counts)))
        else:
            weight_code = 3
            parts.append(_to_bytes(array("f", weights)))
    if values:
        lengths = array("I", map(len, values))
        length_code = _smallest(max(lengths))
        parts.append(_to_bytes(array(_TYPECODES[length_code], lengths)))
        parts.append(b"".join(values))
    else:
        length_code = 255
    parts[0] = bytes((id_code, weight_code, length_code))
    return b"".join(parts)


@given(postings | st.integers(min_value=1, max_value=600).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 70_000), min_size=n, max_size=n, unique=True).map(sorted),
    st.lists(st.sampled_from([1.0, 2.0, 3.0, 300.0, 0.5, 70_000.0, 0.0]), min_size=n,
             max_size=n),
    st.just([]))))
def test_blocks_are_the_bytes_they_always_were(block):
    """Blocks as the writers give them (float32 weights in an array) encode to the bytes
    of the first implementation: an index built before reads the same."""
    ids, weights, values = array("I", block[0]), array("f", block[1]), block[2]
    assert encode_block(ids, weights, values) == reference_encode_block(ids, weights, values)


@given(st.integers(0, 2**32 - 1),
       st.one_of(st.sampled_from([1.0, 0.0, 2.0, 255.0, 256.0, 70_000.0, 0.5, -1.0]),
                 st.floats(-1e6, 1e6, allow_nan=False, width=32)),
       st.one_of(st.none(), st.binary(max_size=300)))
def test_a_one_posting_block_is_the_bytes_of_the_general_path(docnum, weight, value):
    """Most terms of a segment occur once; their blocks take a shortcut that must give
    the very bytes of any other block (its own values included: an empty one)."""
    ids, weights, values = array("I", [docnum]), array("f", [weight]), (
        [] if value is None else [value])
    assert encode_block(ids, weights, values) == reference_encode_block(ids, weights, values)


def test_integer_weights_take_one_byte_each():
    ids, weights = list(range(0, 1280, 10)), [float(n % 5 + 1) for n in range(128)]
    assert len(encode_block(ids, weights, [])) == 3 + 128 + 128
    assert len(encode_block(ids, [1.0] * 128, [])) == 3 + 128  # all-ones weights: nothing


@pytest.mark.parametrize("damage", [lambda d: d[:-7], lambda d: b"\x09" + d[1:],
                                    lambda d: d[:5] + bytes(40) + d[45:]])
def test_a_damaged_block_is_an_index_error_for_the_user(damage):
    ids, weights = list(range(100)), [2.0] * 100
    data = zlib.compress(encode_block(ids, weights, [b"\x01\x02"] * 100), 3)
    with pytest.raises(IndexDamagedError, match="reindex --full"):
        decode_block(damage(data), 100, True)


def test_whole_lists_read_back_as_the_matcher_sees_them(shipped_index):
    _, ix = open_generation(shipped_index)
    try:
        reader = ix.reader()
        segment = reader.leaf_readers()[0][0] if not reader.is_atomic() else reader
        checked = 0
        for fieldname in ("all_f", "accents", "pairs", "title_f"):
            for btext in list(segment.lexicon(fieldname))[::97]:
                matcher = segment.postings(fieldname, btext)
                expected = ([], [], [])
                while matcher.is_active():
                    expected[0].append(matcher.id())
                    expected[1].append(matcher.weight())
                    expected[2].append(matcher.value() or b"")
                    matcher.next()
                ids, weights, values = read_postings(segment, fieldname, btext)
                assert (list(ids), list(weights), values) == (*expected[:2], None)
                ids, weights, values = read_postings(segment, fieldname, btext, True)
                assert (list(ids), list(weights), list(values)) == expected
                assert [values[i] for i in range(len(values))] == expected[2]
                checked += 1
        assert checked > 40
        assert list(map(len, read_postings(segment, "all_f", b"no-such-term")[:2])) == [0, 0]
    finally:
        ix.close()


def test_a_cached_posting_list_takes_about_five_bytes_a_posting(shipped_index):
    """The posting cache held 8 bytes a posting (weights widened to float32) and a bytes
    object per posting value (41 bytes of overhead for one or two of positions): at 1M
    documents that took the server past 1.5 GB of private memory."""
    from indexer.searching import postcache

    _, ix = open_generation(shipped_index)
    try:
        reader = ix.reader()
        segment = reader.leaf_readers()[0][0] if not reader.is_atomic() else reader
        ids, weights, values = read_postings(segment, "all_f", b"nguoi", True)
        assert len(ids) > 100 and weights.typecode == "B"
        assert postcache._size((ids, weights, None)) * 8 <= 5 * len(ids)
        held = sum(map(len, values))  # the encoded positions themselves
        assert postcache._size((ids, weights, values)) * 8 <= 9 * len(ids) + held
        assert list(ids)[:3] and values[0] == list(values)[0] and values[-1] == list(values)[-1]
    finally:
        ix.close()


def test_the_posting_cache_serves_the_same_lists_within_its_budget(shipped_index):
    from indexer.searching.postcache import PostingCache

    _, ix = open_generation(shipped_index)
    try:
        reader = ix.reader()
        segment = reader.leaf_readers()[0][0] if not reader.is_atomic() else reader
        cache = PostingCache(budget=10_000)
        terms = [b"hop", b"dong", b"nguoi", b"toa"]
        for btext in terms * 2:
            assert cache.get(segment, "all_f", btext)[:2] == read_postings(
                segment, "all_f", btext)[:2]
        assert 0 < cache._held <= 10_000
        assert cache.get(segment, "all_f", b"no-such-term")[0] == read_postings(
            segment, "all_f", b"no-such-term")[0]
    finally:
        ix.close()


@given(st.binary(max_size=400), st.integers(0, 50), st.integers(0, 400),
       st.lists(st.tuples(st.sampled_from(["read", "readline", "seek", "tell"]),
                          st.integers(-5, 420)), max_size=12))
def test_a_mapped_file_reads_like_a_copied_one(data, offset, length, calls):
    """MappedIO (no copy of the segment) behaves like BytesIO over the same slice."""
    import io
    import mmap

    from indexer.whoosh_ext.segfiles import _MappedIO

    padded = b"x" * offset + data + b"y" * 7
    length = min(length, len(data))
    source = mmap.mmap(-1, len(padded))
    source.write(padded)
    mapped, copied = _MappedIO(source, offset, length), io.BytesIO(data[:length])
    for name, arg in calls:
        if name == "seek":
            arg = max(arg, 0)
            assert mapped.seek(arg) == copied.seek(min(arg, length))
        elif name == "tell":
            assert mapped.tell() == copied.tell()
        else:
            assert getattr(mapped, name)(arg) == getattr(copied, name)(arg)


def test_segments_are_read_from_the_map_without_a_copy(shipped_index):
    from indexer.whoosh_ext.segfiles import MappedFile

    _, ix = open_generation(shipped_index)
    try:
        reader = ix.reader()
        segment = reader.leaf_readers()[0][0] if not reader.is_atomic() else reader
        assert isinstance(segment._terms._postfile, MappedFile)
        assert read_postings(segment, "all_f", b"dong")[0]
    finally:
        ix.close()


def test_the_posting_cache_budget_is_read_when_first_used(monkeypatch):
    """The process-wide cache is built when its module is imported; it read
    VNSEARCH_POSTING_CACHE_MB then, so a value set after ``import indexer`` was ignored."""
    from indexer.searching.postcache import PostingCache

    monkeypatch.delenv("VNSEARCH_POSTING_CACHE_MB", raising=False)
    cache = PostingCache()
    monkeypatch.setenv("VNSEARCH_POSTING_CACHE_MB", "3")
    assert cache.budget == 3 * 125_000
    assert PostingCache(budget=10).budget == 10


def test_inlined_postings_are_blocks_and_older_pickled_entries_still_read():
    """A short list lives in its term entry: as a block (under a third of Whoosh's pickle;
    the pickles were a third of a 1,000-document segment), read back as Whoosh's entry
    would be; an entry written with Whoosh's pickle (segments of older versions) reads
    the same."""
    from whoosh.codec.whoosh3 import W3TermInfo

    from indexer.whoosh_ext.terminfo import INLINE_MARK, CompactTermInfo

    def entry(values):
        info = CompactTermInfo()
        info._weight, info._df, info._minlength, info._maxlength = 4.0, 3, 5, 20
        info._maxweight, info._minid, info._maxid = 2.0, 1, 9
        info.set_inlined([1, 4, 9], [1.0, 2.0, 1.0], values)
        return info

    for values in ([b"\x01\x02", b"\x02\x05\x01", b"\x01\x07"], []):
        info = entry(values)
        compact, pickled = info.to_bytes(), W3TermInfo.to_bytes(info)
        head = W3TermInfo._struct.size  # the fixed part, the same in both
        assert compact[:head] == pickled[:head] and compact[head] == INLINE_MARK
        assert (len(compact) - head) * 3 < len(pickled) - head
        for data in (compact, pickled):
            back = CompactTermInfo.from_bytes(data)
            assert back.is_inlined() and back.doc_frequency() == 3
            assert [list(part) for part in back.inlined_postings()] == [
                [1, 4, 9], [1.0, 2.0, 1.0], values]
            assert (back.weight(), back.max_weight(), back.min_id(), back.max_id()) == (
                4.0, 2.0, 1, 9)


@given(st.integers(min_value=1, max_value=31).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 2**31), min_size=n, max_size=n, unique=True).map(sorted),
    st.lists(st.sampled_from([1.0, 2.0, 0.5, 3.25, 70_000.0]), min_size=n, max_size=n),
    st.one_of(st.just([]), st.lists(st.binary(min_size=1, max_size=4), min_size=n,
                                    max_size=n)),
    st.lists(st.sampled_from([0, 0, 1, 7, 300, 200_000]), min_size=n, max_size=n))))
def test_an_inlined_term_entry_is_what_the_postings_writer_makes(postings):
    """The bulk writer's shortcut for short lists (terminfo.inlined_term_info) gives the
    term entry the postings writer builds posting by posting."""
    from io import BytesIO

    from whoosh.filedb.structfile import StructFile
    from whoosh.formats import Frequency

    from indexer.whoosh_ext.codec import build_codec
    from indexer.whoosh_ext.terminfo import CompactTermInfo, inlined_term_info

    ids, weights, values, lengths = array("I", postings[0]), array("f", postings[1]), \
        postings[2], postings[3]
    writer = build_codec().postings_writer(StructFile(BytesIO()))
    writer.start_postings(Frequency(), CompactTermInfo())
    writer.add_many(ids, weights, values, lengths)
    expected = writer.finish_postings().to_bytes()
    assert inlined_term_info(ids, weights, values, lengths) == expected


def test_the_default_posting_cache_budget_grows_with_the_index(monkeypatch):
    """A fixed 128 MB cache was emptied by every pass of the bench's queries on a 1M-document
    index (their lists are 742 MB): warm queries decoded everything again."""
    from indexer.searching import postcache
    from indexer.searching.postcache import PostingCache

    monkeypatch.delenv("VNSEARCH_POSTING_CACHE_MB", raising=False)
    cache = PostingCache()
    assert cache.budget == postcache.LEAST  # nothing opened yet
    cache.fit(10_000)
    assert cache.budget == postcache.LEAST  # a small index keeps the floor
    cache.fit(1_000_000)
    assert cache.budget == 1_000_000 * postcache.PER_DOCUMENT > 4 * postcache.LEAST
    cache.fit(50_000)
    assert cache.budget == 1_000_000 * postcache.PER_DOCUMENT  # never shrinks
    cache.fit(100_000_000)
    assert cache.budget == postcache.MOST
    monkeypatch.setenv("VNSEARCH_POSTING_CACHE_MB", "3")
    assert PostingCache().budget == 3 * 125_000  # the variable wins


def test_opening_an_index_fits_the_process_posting_cache(shipped_index, monkeypatch):
    from indexer.searching import postcache

    fitted = []
    monkeypatch.setattr(postcache.POSTING_CACHE, "fit", fitted.append)
    handle = indexer.open_index(shipped_index)
    indexer.search(handle, "hợp đồng", per_page=1)
    assert fitted and fitted[-1] == indexer.stats(handle).documents > 0


def test_block_headers_read_from_one_slice_equal_whooshs(shipped_index):
    """CompactLeafMatcher._goto reads a block's pickled header from one slice of the file
    instead of Whoosh's twenty small reads: every block's header fields must be Whoosh's."""
    from whoosh.codec.whoosh3 import W3LeafMatcher

    fields = ("_blocklength", "_maxid", "_maxweight", "_compression", "_minlength",
              "_maxlength", "_lastblock", "_nextoffset", "_dataoffset")
    _, ix = open_generation(shipped_index)
    try:
        reader = ix.reader()
        segment = reader.leaf_readers()[0][0] if not reader.is_atomic() else reader
        blocks = 0
        for btext in (b"nguoi", b"hop", b"dong", b"cua", b"toa"):
            ours = segment.postings("all_f", btext)
            if not hasattr(ours, "_goto"):
                continue  # inlined in its term entry: no blocks
            theirs = segment.postings("all_f", btext)
            W3LeafMatcher._goto(theirs, theirs._baseoffset)
            while True:
                assert [getattr(ours, f) for f in fields] == [getattr(theirs, f) for f in fields]
                blocks += 1
                if ours._lastblock:
                    break
                ours._goto(ours._nextoffset)
                W3LeafMatcher._goto(theirs, theirs._nextoffset)
        assert blocks >= 5
    finally:
        ix.close()


@pytest.mark.parametrize("tail", [b"\x0d\x0e\x0f", b"", b"\x80\x02garbage"])
def test_a_damaged_term_entry_is_index_damage_not_a_bug(tail):
    """Damage inside a term entry raised UnpicklingError from our code, which the app
    took for a bug (500 with a traceback) instead of a damaged index (503: rebuild)."""
    from indexer.whoosh_ext.terminfo import CompactTermInfo

    head = CompactTermInfo._struct.pack(True, 1.0, 1, 0, 0, 1.0, 0, 0)
    with pytest.raises(IndexDamagedError, match="reindex --full"):
        CompactTermInfo.from_bytes(head + tail)
    with pytest.raises(IndexDamagedError):
        CompactTermInfo.from_bytes(head[:5])
