"""Per-server configuration (what `/setup server` sets)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime

from bot.storage.database import Database

# Columns a server must have filled before Lantern's features work.
REQUIRED = (
    "facilitator_role_id",
    "alumni_role_id",
    "escalation_channel_id",
    "log_channel_id",
    "timezone",
    "region",
)


@dataclass(frozen=True)
class GuildConfig:
    guild_id: int
    facilitator_role_id: int | None = None
    alumni_role_id: int | None = None
    escalation_channel_id: int | None = None
    log_channel_id: int | None = None
    staff_category_id: int | None = None
    timezone: str | None = None
    region: str | None = None

    def missing(self) -> list[str]:
        """Names of required settings that are still unset."""
        return [name for name in REQUIRED if getattr(self, name) is None]

    @property
    def is_complete(self) -> bool:
        return not self.missing()

    def merged(self, **changes: object) -> GuildConfig:
        """A copy with the given non-None values applied (None means 'keep')."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


_COLUMNS = [f.name for f in fields(GuildConfig)]


class GuildConfigStore:
    """Every command, listener and job asks for its server's configuration (the crisis
    screen once per message), so it is kept in memory; `save` is the only writer."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: dict[int, GuildConfig | None] = {}
        self._saves = 0
        """Counts saves: a read that a save overtook must not cache what it read."""

    async def get(self, guild_id: int) -> GuildConfig | None:
        if guild_id in self._cache:
            return self._cache[guild_id]
        saves = self._saves
        row = await self._db.fetch_one(
            f"SELECT {', '.join(_COLUMNS)} FROM guild_config WHERE guild_id = ?",  # noqa: S608
            (guild_id,),
        )
        config = GuildConfig(**dict(row)) if row else None
        if saves == self._saves:
            self._cache[guild_id] = config
        return config

    def forget(self) -> None:
        """Drop what is cached (servers taken over from another process, whose /setup that
        process may have changed meanwhile)."""
        self._saves += 1
        self._cache.clear()

    async def guild_ids(self) -> list[int]:
        """Every server that has a configuration (so may hold data)."""
        rows = await self._db.fetch_all("SELECT guild_id FROM guild_config ORDER BY guild_id")
        return [r[0] for r in rows]

    async def save(self, config: GuildConfig, now: datetime) -> None:
        values = {name: getattr(config, name) for name in _COLUMNS}
        updates = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS if c != "guild_id")
        await self._db.execute(
            f"INSERT INTO guild_config ({', '.join(_COLUMNS)}, created_at, updated_at) "  # noqa: S608
            f"VALUES ({', '.join(':' + c for c in _COLUMNS)}, :now, :now) "
            f"ON CONFLICT (guild_id) DO UPDATE SET {updates}, updated_at = excluded.updated_at",
            {**values, "now": now.isoformat()},
        )
        self._saves += 1
        self._cache.pop(config.guild_id, None)
