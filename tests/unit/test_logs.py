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


def _extra_keys_in_source() -> list[tuple[str, int, str]]:
    """Every constant key of an `extra={...}` dict passed to a call anywhere in the product."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = []
    for folder in ("bot", "cogs", "config"):
        for path in (root / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                for keyword in node.keywords:
                    if keyword.arg == "extra" and isinstance(keyword.value, ast.Dict):
                        for key in keyword.value.keys:
                            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                                found.append((str(path.relative_to(root)), node.lineno, key.value))
    return found


def test_no_extra_key_overwrites_a_log_record_attribute() -> None:
    # logging raises KeyError for these, but only when the record is made: at INFO in
    # production, never in a suite whose loggers sit at WARNING.
    reserved = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
        "message",
        "asctime",
    }
    keys = _extra_keys_in_source()
    assert len(keys) > 50  # the scan sees the product's log calls
    clashes = [f"{path}:{line} extra key {key!r}" for path, line, key in keys if key in reserved]
    assert not clashes, "\n".join(clashes)


def test_json_extras_never_hide_the_base_keys() -> None:
    entry = json.loads(JsonFormatter().format(_record(level="crisis", logger="x")))
    assert entry["level"] == "INFO" and entry["logger"] == "bot.x"
    assert entry["extra_level"] == "crisis" and entry["extra_logger"] == "x"
