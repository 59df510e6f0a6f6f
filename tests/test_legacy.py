"""TCVN3 (ABC) and VNI text back to Unicode: every letter form, detection, and files of
both found by an unaccented query."""

from __future__ import annotations

import unicodedata

import pytest

import indexer
from indexer.corpus.formats import legacy
from tests import formatfiles as ff

# Reference tables typed from the code charts, in a different order from the module's
# (sắc, huyền, hỏi, ngã, nặng), so that a slip in either shows.
TONED = {  # base: the letters with sắc, huyền, hỏi, ngã, nặng
    "a": "áàảãạ", "ă": "ắằẳẵặ", "â": "ấầẩẫậ", "e": "éèẻẽẹ", "ê": "ếềểễệ", "i": "íìỉĩị",
    "o": "óòỏõọ", "ô": "ốồổỗộ", "ơ": "ớờởỡợ", "u": "úùủũụ", "ư": "ứừửữự", "y": "ýỳỷỹỵ",
}
TCVN3_REF = {
    "a": "\xb8\xb5\xb6\xb7\xb9", "ă": "\xbe\xbb\xbc\xbd\xc6", "â": "\xca\xc7\xc8\xc9\xcb",
    "e": "\xd0\xcc\xce\xcf\xd1", "ê": "\xd5\xd2\xd3\xd4\xd6", "i": "\xdd\xd7\xd8\xdc\xde",
    "o": "\xe3\xdf\xe1\xe2\xe4", "ô": "\xe8\xe5\xe6\xe7\xe9", "ơ": "\xed\xea\xeb\xec\xee",
    "u": "\xf3\xef\xf1\xf2\xf4", "ư": "\xf8\xf5\xf6\xf7\xf9", "y": "\xfd\xfa\xfb\xfc\xfe",
}
TCVN3_PLAIN = {"ă": "\xa8", "â": "\xa9", "ê": "\xaa", "ô": "\xab", "ơ": "\xac", "ư": "\xad",
               "đ": "\xae", "Ă": "\xa1", "Â": "\xa2", "Ê": "\xa3", "Ô": "\xa4", "Ơ": "\xa5",
               "Ư": "\xa6", "Đ": "\xa7"}
VNI_TONES = "ùøûõï"  # sắc, huyền, hỏi, ngã, nặng after a vowel
VNI_HAT = "áàåãä"  # â ê ô with those tones
VNI_BREVE = "éèúüë"  # ă with those tones
VNI_BASE = {"a": "a", "ă": "aê", "â": "aâ", "e": "e", "ê": "eâ", "o": "o", "ô": "oâ",
            "ơ": "ô", "u": "u", "ư": "ö", "y": "y"}
VNI_I = "íìæóò"  # í ì ỉ ĩ ị are single bytes


def _vni(letter: str) -> str:
    """VNI spelling of one Unicode letter (from the chart's rules, not the module)."""
    lower = letter.lower()
    if lower == "đ":
        out = "ñ"
    elif lower == "ỵ":
        out = "î"
    elif lower in VNI_BASE:
        out = VNI_BASE[lower]
    elif lower == "i":
        out = "i"
    else:
        base = next(b for b, forms in TONED.items() if lower in forms)
        tone = TONED[base].index(lower)
        if base == "i":
            out = VNI_I[tone]
        elif base in "âêô":
            out = base.replace("â", "a").replace("ê", "e").replace("ô", "o") + VNI_HAT[tone]
        elif base == "ă":
            out = "a" + VNI_BREVE[tone]
        else:
            out = VNI_BASE[base] + VNI_TONES[tone]
    return out.upper() if letter.isupper() else out


LETTERS = sorted({c for forms in TONED.values() for c in forms} | set(TONED) | {"đ"})
ALL_FORMS = LETTERS + [c.upper() for c in LETTERS]


@pytest.mark.parametrize("letter", [c for c in LETTERS if c not in "aeiouy"])
def test_tcvn3_letter(letter: str) -> None:
    if letter in TCVN3_PLAIN:
        code = TCVN3_PLAIN[letter]
    else:
        base = next(b for b, forms in TONED.items() if letter in forms)
        code = TCVN3_REF[base][TONED[base].index(letter)]
    assert legacy.CONVERTERS["TCVN3"](code) == letter
    assert legacy.CONVERTERS["TCVN3"](TCVN3_PLAIN.get(letter.upper(), "")) == (
        letter.upper() if letter.upper() in TCVN3_PLAIN else "")


def test_tcvn3_table_covers_every_letter_once() -> None:
    assert sorted(legacy.TCVN3.values()) == sorted(
        [c for c in LETTERS if c not in "aeiouy"] + ["Ă", "Â", "Ê", "Ô", "Ơ", "Ư", "Đ"])


@pytest.mark.parametrize("letter", ALL_FORMS)
def test_vni_letter(letter: str) -> None:
    converted = legacy.CONVERTERS["VNI"](_vni(letter))
    assert converted == letter and unicodedata.is_normalized("NFC", converted)


SENTENCE = "Cán bộ đảng viên phải gương mẫu, nêu cao tinh thần trách nhiệm trước nhân dân."
TCVN3_SENTENCE = ("C\xb8n b\xe9 \xae\xb6ng vi\xaan ph\xb6i g\xad\xacng m\xc9u, n\xaau cao tinh "
                  "th\xc7n tr\xb8ch nhi\xd6m tr\xad\xedc nh\xa9n d\xa9n.")
VNI_SENTENCE = ("Caùn boä ñaûng vieân phaûi göông maãu, neâu cao tinh thaàn traùch nhieäm "
                "tröôùc nhaân daân.")


def test_sentences_are_detected_and_converted() -> None:
    assert legacy.convert_text(TCVN3_SENTENCE) == (SENTENCE, "TCVN3")
    assert legacy.convert_text(VNI_SENTENCE) == (SENTENCE, "VNI")
    assert legacy.decode_bytes(TCVN3_SENTENCE.encode("latin-1")) == (
        SENTENCE, "TCVN3")
    assert legacy.decode_bytes(VNI_SENTENCE.encode("latin-1")) == (SENTENCE, "VNI")


@pytest.mark.parametrize("text", [
    SENTENCE,  # Unicode Vietnamese stays
    "Le café où je déjeune est à côté du marché, très élégant et animé.",  # French
    "Straße, Größe, Übermaß und Ärger über Öl",  # German
    "Giá 100.000 đồng/kg, tăng 5% — “kỷ lục” © 2024",
    "plain ASCII text only",
])
def test_other_text_is_left_alone(text: str) -> None:
    assert legacy.convert_text(text) == (text, None)
    assert legacy.decode_bytes(text.encode("utf-8")) is None


def test_legacy_files_are_found_by_unaccented_query(tmp_path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tcvn3.txt").write_bytes(
        ("Th\xabng b\xb8o v\xd2 c\xb8n b\xe9\n\n" + TCVN3_SENTENCE).encode("latin-1"))
    (corpus / "vni.txt").write_bytes(("Thoâng baùo cuûa tænh\n\n" + VNI_SENTENCE)
                                     .encode("latin-1"))
    (corpus / "vni.docx").write_bytes(ff.docx_bytes("Nghò quyeát cuûa chi boä", [VNI_SENTENCE]))
    (corpus / "tcvn3.pdf").write_bytes(ff.pdf_bytes(None, [TCVN3_SENTENCE]))
    (corpus / "unicode.txt").write_text(f"Bài viết Unicode\n\n{SENTENCE}", "utf-8")
    report = indexer.reindex(corpus, tmp_path / "index")
    notes = {p.path: p.reason for p in report.problems}
    assert notes == {
        "tcvn3.txt": "text converted from TCVN3 (ABC) to Unicode, file indexed",
        "vni.txt": "text converted from VNI to Unicode, file indexed",
        "vni.docx": "text converted from VNI to Unicode, file indexed",
        "tcvn3.pdf": "text converted from TCVN3 (ABC) to Unicode, file indexed",
    }
    handle = indexer.open_index(tmp_path / "index")
    try:
        hits = {hit.id for hit in indexer.search(handle, "can bo dang vien", per_page=10).hits}
        assert hits == {"tcvn3.txt", "vni.txt", "vni.docx", "tcvn3.pdf", "unicode.txt"}
        assert indexer.document(handle, "vni.docx").title == "Nghị quyết của chi bộ"
        assert indexer.document(handle, "tcvn3.txt").title == "Thông báo về cán bộ"
    finally:
        handle.close()


def test_conversion_is_a_warning_and_does_not_fail_strict(tmp_path) -> None:
    from click.testing import CliRunner

    from indexer.cli.commands import cli

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tcvn3.txt").write_bytes(("Th\xabng b\xb8o\n\n" + TCVN3_SENTENCE).encode("latin-1"))
    args = ["reindex", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--strict"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "warning: tcvn3.txt: text converted from TCVN3 (ABC) to Unicode" in result.output
    (corpus / "bang.xyz").write_bytes(b"x")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "skipped: bang.xyz: unsupported format (.xyz), skipped" in result.output
