"""Accent restoration, spelling and autocomplete learnt from a corpus (indexer.accents.model)."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.accents.model import AccentModel
from indexer.text.folding import fold

ROOT = Path(__file__).resolve().parent.parent

SENTENCES = [
    "Cán bộ đảng viên phải gương mẫu chấp hành pháp luật.",
    "Mỗi cán bộ đảng viên cần nêu cao tinh thần trách nhiệm.",
    "Đảng viên có nhiệm vụ tuyên truyền chủ trương của Đảng.",
    "Cán bộ công chức phải tận tụy phục vụ nhân dân.",
    "Người phạm tội phải chịu trách nhiệm hình sự theo quy định của Bộ luật này.",
    "Tuổi chịu trách nhiệm hình sự được quy định tại Điều 12 Bộ luật hình sự.",
    "Pháp nhân thương mại phạm tội cũng phải chịu trách nhiệm hình sự.",
    "Thời hiệu truy cứu trách nhiệm hình sự được tính từ ngày tội phạm được thực hiện.",
    "Trách nhiệm dân sự phát sinh do vi phạm nghĩa vụ.",
    "Người đứng đầu phải chịu trách nhiệm về kết quả công việc.",
    "Cơ quan điều tra đang xem xét hồ sơ vụ án.",
    "Tòa án đang giải quyết tranh chấp về hợp đồng lao động.",
    "Doanh nghiệp đang hoạt động phải nộp thuế đầy đủ.",
    "Ủy ban nhân dân cấp tỉnh đang triển khai kế hoạch.",
    "Đây là một vấn đề đáng quan tâm của toàn xã hội.",
    "Hành vi này đáng bị lên án và xử lý nghiêm.",
    "Kết quả đạt được rất đáng khích lệ.",
    "Tài sản tồn tại dưới dạng tiền, giấy tờ có giá hoặc quyền tài sản.",
    "Hợp đồng có thể được giao kết dưới dạng văn bản hoặc lời nói.",
    "Dữ liệu được lưu trữ dưới dạng điện tử.",
    "Người lao động có quyền đơn phương chấm dứt hợp đồng lao động.",
    "Người sử dụng lao động phải bảo đảm an toàn cho người lao động.",
    "Nhà nước bảo hộ quyền sở hữu trí tuệ của cá nhân và pháp nhân.",
    "Cá nhân có quyền sở hữu tài sản hợp pháp của mình.",
    "Người gây thiệt hại phải bồi thường theo quy định của pháp luật.",
    "Quyền và nghĩa vụ của công dân được pháp luật bảo vệ.",
    "Tòa án nhân dân xét xử công khai.",
    "Viện kiểm sát nhân dân thực hành quyền công tố.",
    "Tội phạm là hành vi nguy hiểm cho xã hội được quy định trong Bộ luật hình sự.",
    "Hình phạt nghiêm khắc nhất là tử hình.",
    "Công dân có nghĩa vụ đóng thuế và lao động công ích.",
    "Thị trường ngày càng đa dạng và phong phú.",
]

MODEL = AccentModel.train(SENTENCES)


def snapshot(model: AccentModel) -> tuple:
    """Every count and the candidate map, deep-copied."""
    return copy.deepcopy((model.counts.state(), model.counts.followers, model.by_folded))


def test_restores_marks_from_context() -> None:
    assert MODEL.restore("can bo dang vien") == "cán bộ đảng viên"
    assert MODEL.restore("trach nhiem hinh su") == "trách nhiệm hình sự"
    assert MODEL.restore("co quan dang xem xet") == "cơ quan đang xem xét"
    assert MODEL.restore("van de dang quan tam") == "vấn đề đáng quan tâm"
    assert MODEL.restore("duoi dang van ban") == "dưới dạng văn bản"
    assert MODEL.restore("dieu 12 bo luat hinh su") == "điều 12 bộ luật hình sự"


def test_keeps_case_spacing_and_punctuation() -> None:
    assert MODEL.restore("Can Bo DANG VIEN") == "Cán Bộ ĐẢNG VIÊN"
    assert MODEL.restore("  can bo,  dang vien!") == "  cán bộ,  đảng viên!"
    assert MODEL.restore("") == ""


def test_corrects_typos() -> None:
    assert MODEL.restore("trach nhiem hinhh su") == "trách nhiệm hình sự"
    assert MODEL.restore("nguoi lao dongg") == "người lao động"
    assert MODEL.restore("trach nhiem hnih su") == "trách nhiệm hình sự"  # transposition


def test_keeps_what_the_user_typed_with_marks() -> None:
    assert MODEL.restore("co quan dang xem xet") == "cơ quan đang xem xét"
    assert MODEL.restore("co quan đáng xem xet") == "cơ quan đáng xem xét"  # the user's choice wins
    assert MODEL.restore("can bo đang vien").startswith("cán bộ đang ")
    assert MODEL.restore("hoà binh") == "hòa binh"  # unseen, canonical tone placement only
    assert MODEL.restore("Thuỷ") == "Thủy"
    assert MODEL.restore("can bo \u0111a\u0309ng vien") == "cán bộ đảng viên"  # NFD input


def test_keeps_unknown_words() -> None:
    assert MODEL.restore("google facebook") == "google facebook"
    assert MODEL.restore("xyz can bo") == "xyz cán bộ"
    assert MODEL.restore("COVID trach nhiem") == "COVID trách nhiệm"


@pytest.mark.parametrize(
    "query",
    [
        "x" * 10_000,
        "can bo " * 2_000,
        "😀 can bo 😀 dang 🇻🇳 vien",
        "\x00\x01can\x7f bo\u200b dang\ufeff vien\r\n\t",
        "\u0301\u0300\u0303 a\u0301\u0301\u0301 " * 50,
        "中文 can bo العربية",
        "a-b-c/d.e " * 500,
        "123 456.789 1,5",
    ],
)
def test_hostile_input_is_bounded_and_never_raises(query: str) -> None:
    start = time.perf_counter()
    assert isinstance(MODEL.restore(query), str)
    assert isinstance(MODEL.complete(query), list)
    assert time.perf_counter() - start < 1.0


def test_syllables_after_the_cap_are_returned_as_typed() -> None:
    restored = MODEL.restore("can bo " * 20)
    assert restored.startswith("cán bộ " * 16)
    assert restored.endswith("can bo " * 4)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_handled(text: str) -> None:
    assert isinstance(MODEL.restore(text), str)
    suggestions = MODEL.complete(text, limit=5)
    assert len(suggestions) <= 5 and len(set(suggestions)) == len(suggestions)


def test_complete() -> None:
    suggestions = MODEL.complete("trach nhi")
    assert "trách nhiệm" in suggestions
    assert any(s.startswith("trách nhiệm hình sự") for s in suggestions)
    assert all(s == s.lower() and s.startswith("trách nhi") for s in suggestions)
    assert len(set(suggestions)) == len(suggestions) <= 8
    assert len(MODEL.complete("trach nhi", limit=2)) == 2
    assert any(s.startswith("cán bộ đảng viên") for s in MODEL.complete("can bo d"))
    assert MODEL.complete("Trách nhiệm h")[0].startswith("trách nhiệm hình")
    following = MODEL.complete("trach nhiem ")
    assert following and all(s.startswith("trách nhiệm ") for s in following)
    assert MODEL.complete("") == [] and MODEL.complete("   ") == []
    assert MODEL.complete("qqqq") == []


def test_completions_are_sequences_the_corpus_has() -> None:
    """Found by a QA pass: a completion chained attested pairs into phrases no text has
    (*cán bộ điều kiện*: *bộ điều* and *điều kiện* occur, *cán bộ điều* never)."""
    model = AccentModel.train(["Cơ quan điều tra thu thập.", "Điều kiện để điều khiển.",
                               "Ban cán bộ điều tra."])
    completions = model.complete("can bo d")
    assert "cán bộ điều tra" in completions
    assert not any(c.startswith(("cán bộ điều kiện", "cán bộ điều khiển"))
                   for c in completions), completions


def test_a_completion_after_an_unknown_word_is_still_offered() -> None:
    """Found in review: a trigram starting on an unknown word was never attested, so
    'zzqx hợp đồ' lost 'zzqx hợp đồng lao động'."""
    model = AccentModel.train(["Hợp đồng lao động được ký.", "Hợp đồng lao động tập thể."])
    assert "zzqx hợp đồng lao động" in model.complete("zzqx hợp đồ")


def test_a_typed_i_or_y_completes_the_spelling_the_corpus_has() -> None:
    """Found by a QA pass: 'kĩ thu' offered 'kĩ thuộc' because the corpus writes kỹ."""
    model = AccentModel.train(["Kỹ thuật số phát triển.", "Kỹ thuật viên làm việc.",
                               "Nó thuộc về kỹ thuật."])
    assert model.complete("kĩ thu")[0] == "kỹ thuật"


def test_save_load_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "accents.bin"
    MODEL.save(path)
    MODEL.save(path)  # overwriting is atomic too
    assert [p.name for p in tmp_path.iterdir()] == ["accents.bin"]
    loaded = AccentModel.load(path)
    for query in ("can bo dang vien", "trach nhiem hinhh su", "duoi dang van ban", "Hoà"):
        assert loaded.restore(query) == MODEL.restore(query)
    assert loaded.complete("trach nhi") == MODEL.complete("trach nhi")
    assert snapshot(loaded) == snapshot(MODEL)
    loaded.add(SENTENCES[0])  # a loaded model keeps learning
    assert loaded.counts.uni != MODEL.counts.uni


def test_bulk_training_equals_incremental_adds() -> None:
    model = AccentModel()
    for sentence in SENTENCES:
        model.add(sentence)
    assert snapshot(model) == snapshot(MODEL)


def test_remove_forgets_a_document() -> None:
    model = AccentModel.train(SENTENCES)
    for sentence in SENTENCES[:3]:
        model.remove(sentence)
    assert model.restore("dang vien") != "đảng viên"
    with pytest.raises(ValueError):
        model.remove("Cán bộ đảng viên phải gương mẫu.")
    for sentence in SENTENCES[:3]:
        model.add(sentence)
    assert snapshot(model) == snapshot(MODEL)


WORDS = sorted({w for s in SENTENCES for w in s.split()}) + [",", ".", "42", "Zzz", "ĐẢNG"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(WORDS) | st.text(max_size=6), max_size=30).map(" ".join))
def test_remove_exactly_undoes_add(text: str) -> None:
    model = AccentModel.train(SENTENCES[:10])
    before = snapshot(model)
    model.add(text)
    model.add(text)
    model.remove(text)
    model.remove(text)
    assert snapshot(model) == before


def test_trained_on_the_shipped_corpus() -> None:
    with (ROOT / "corpus/laws/articles.jsonl").open(encoding="utf-8") as lines:
        laws = [json.loads(line) for line in lines]
    start = time.perf_counter()
    model = AccentModel.train(f"{a['title']}\n{a['text']}" for a in laws)
    assert time.perf_counter() - start < 8
    assert model.restore("trach nhiem hinh su") == "trách nhiệm hình sự"
    assert model.restore("nguoi su dung lao dong") == "người sử dụng lao động"
    assert "trách nhiệm" in model.complete("trach nhi")
    # The law articles never mention the Party ("đảng" does not occur in them);
    # the shipped news pages do, as "cán bộ, đảng viên".
    for page in sorted((ROOT / "corpus/news").glob("*.txt")):
        model.add(page.read_text(encoding="utf-8"))
    assert model.restore("can bo dang vien") == "cán bộ đảng viên"
    assert model.restore("trach nhiem hinh su") == "trách nhiệm hình sự"
    start = time.perf_counter()
    for _ in range(20):
        model.restore(fold("quyền sở hữu trí tuệ"))
        model.complete("quyen so h")
    assert time.perf_counter() - start < 2  # ~0.2 ms and ~7 ms each in practice
