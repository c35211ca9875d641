"""The retry schedule and the text limits: pure functions, no database."""

from datetime import timedelta

import pytest

from careledger.notify.rules import clip, one_line, retry_delay, truncate_utf8


@pytest.mark.parametrize(
    ("failures", "minutes"),
    [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 32), (7, 60), (8, 60), (12, 60), (500, 60)],
)
def test_retry_delay_doubles_from_one_minute_and_is_capped_at_an_hour(failures, minutes):
    assert retry_delay(failures) == timedelta(minutes=minutes)


def test_retry_delay_follows_its_settings():
    assert retry_delay(3, base_seconds=10, max_seconds=30) == timedelta(seconds=30)
    assert retry_delay(2, base_seconds=10, max_seconds=30) == timedelta(seconds=20)


def test_retry_delay_needs_a_failure():
    with pytest.raises(ValueError):
        retry_delay(0)


@pytest.mark.parametrize(
    ("text", "max_bytes", "expected"),
    [
        ("abc", 3, "abc"),
        ("abcd", 3, "abc"),  # no room for the ellipsis (three bytes): a plain cut
        ("abcdef", 5, "ab…"),
        ("汉字汉字", 12, "汉字汉字"),  # 4 × 3 bytes: fits exactly
        ("汉字汉字", 11, "汉字…"),  # 8 bytes left for text: two whole characters, not a broken third
        ("汉字汉字", 8, "汉…"),  # 5 bytes left: one whole character; the two bytes of the next are dropped
        ("a汉", 2, "a"),  # no room for the ellipsis: cut on a character boundary
    ],
)
def test_truncate_utf8_cuts_on_a_character_boundary(text, max_bytes, expected):
    result = truncate_utf8(text, max_bytes)
    assert result == expected
    assert len(result.encode("utf-8")) <= max_bytes


def test_one_line_and_clip():
    assert one_line("紧急\r\n  请确认", 100) == "紧急 请确认"
    assert one_line("x" * 101, 100) == "x" * 99 + "…"
    assert clip("  y  ", 500) == "y"
    assert clip("z" * 501, 500) == "z" * 499 + "…"
