import json
import logging

from bot.logs import JsonFormatter, TextFormatter


def _record(**extra) -> logging.LogRecord:
    record = logging.LogRecord("bot.x", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    record.__dict__.update(extra)
    return record


def test_json_format_is_one_object_per_line_with_extras() -> None:
    line = JsonFormatter().format(_record(guild_id=5, incident="7F3K2"))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "hello you" and entry["level"] == "INFO"
    assert entry["guild_id"] == 5 and entry["incident"] == "7F3K2"


def test_json_format_keeps_exceptions_on_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("bot", logging.ERROR, __file__, 1, "x", (), sys.exc_info())
    line = JsonFormatter().format(record)
    assert "\n" not in line and "ValueError" in json.loads(line)["exception"]


def test_text_format_shows_extras_as_pairs() -> None:
    text = TextFormatter().format(_record(user_id=9))
    assert "hello you" in text and "[user_id=9]" in text
