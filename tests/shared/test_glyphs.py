"""The big-glyph font: every character it promises, equal rows, sizes that add up."""

from __future__ import annotations

import string

import pytest

from shared.ui import glyphs

PROMISED = string.digits + string.ascii_uppercase + " -+:.#/>?→"


@pytest.mark.parametrize("ch", list(PROMISED))
def test_every_glyph_is_seven_equal_rows(ch: str) -> None:
    assert glyphs.supported(ch)
    bitmap = glyphs.glyph(ch)
    assert len(bitmap) == glyphs.GLYPH_HEIGHT
    assert len({len(row) for row in bitmap}) == 1
    assert set("".join(bitmap)) <= {"#", "."}
    if ch != " ":
        assert "#" in "".join(bitmap)


def test_letters_and_digits_are_all_different() -> None:
    drawn = [glyphs.glyph(ch) for ch in string.digits + string.ascii_uppercase]
    assert len(set(drawn)) == len(drawn)


def test_lowercase_is_drawn_as_uppercase_and_unknown_as_question_mark() -> None:
    assert glyphs.render("k12") == glyphs.render("K12")
    assert glyphs.glyph("汉") == glyphs.glyph("?")
    assert not glyphs.supported("汉")


@pytest.mark.parametrize("scale", [1, 2, 3, 5])
def test_render_size_matches_size(scale: int) -> None:
    lines = glyphs.render("Z019", scale)
    width, height = glyphs.size("Z019", scale)
    assert len(lines) == height == -(-7 * scale // 2)
    assert {len(line) for line in lines} == {width}
    assert width == (4 * 5 + 3) * scale
    assert set("".join(lines)) <= {" ", "▀", "▄", "█"}


def test_scale_two_is_full_blocks_one_row_per_pixel() -> None:
    lines = glyphs.render("1", 2)
    assert len(lines) == 7
    assert lines[0] == "    ██    "  # ..#.. doubled
    assert lines[6] == "  ██████  "  # .###.


def test_half_blocks_pack_two_pixel_rows() -> None:
    # "-" is ink only on row 3 (0-based): in half blocks it is the bottom half of line 1.
    assert glyphs.render("-", 1) == ["     ", "▄▄▄▄▄", "     ", "     "]


def test_fit_scale() -> None:
    assert glyphs.fit_scale("A012", 100, 30) == 4  # width 23*4=92, height 14
    assert glyphs.fit_scale("A012", 46, 7) == 2
    assert glyphs.fit_scale("A012", 10, 3) == 0
    assert glyphs.fit_scale("5", 1000, 1000, max_scale=6) == 6


def test_empty_text() -> None:
    assert glyphs.render("") == []
    assert glyphs.size("") == (0, 0)
