"""docker-compose.yml (issue 19): PostgreSQL and two Lantern processes of two shards each,
settings that exist, no secret written in the file, shards covered exactly once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.sharding import parse_shard_ids
from config.settings import ENV_PREFIX, Settings

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def services() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text())["services"])


def test_postgres_and_two_lantern_processes_split_the_shards() -> None:
    found = services()
    assert "pg_isready" in " ".join(found["postgres"]["healthcheck"]["test"])
    bots = {name: s for name, s in found.items() if name.startswith("lantern")}
    assert len(bots) == 2
    counts = {int(s["environment"]["LANTERN_SHARD_COUNT"]) for s in bots.values()}
    assert counts == {4}
    shards = [
        shard
        for s in bots.values()
        for shard in parse_shard_ids(s["environment"]["LANTERN_SHARD_IDS"], 4)
    ]
    assert sorted(shards) == [0, 1, 2, 3]  # each shard exactly once
    for service in bots.values():
        env = service["environment"]
        assert env["LANTERN_DATABASE"].startswith("postgresql://")
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_lantern_setting_named_exists_and_no_secret_is_written() -> None:
    text = COMPOSE.read_text()
    known = {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}
    assert set(re.findall(r"\b(LANTERN_[A-Z_]+)\s*:", text)) <= known
    for service in services().values():
        for name, value in (service.get("environment") or {}).items():
            if "TOKEN" in name or "KEY" in name or "PASSWORD" in name:
                assert str(value).startswith("${"), f"{name} must come from .env"
