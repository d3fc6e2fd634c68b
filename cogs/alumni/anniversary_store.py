"""SQL for custom anniversaries. Names are the person's own words: encrypted here, so
nothing else sees them stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import aiosqlite

from bot.crypto import PLAINTEXT, Cipher
from bot.storage import Database
from cogs.alumni.anniversaries import Anniversary

COLUMNS = "id, guild_id, user_id, name, happened_on, share, celebrated_year"


class AnniversaryStore:
    def __init__(self, db: Database, cipher: Cipher = PLAINTEXT) -> None:
        self.db = db
        self.cipher = cipher

    def _of(self, row: aiosqlite.Row) -> Anniversary:
        return Anniversary(
            id=row["id"],
            guild_id=row["guild_id"],
            user_id=row["user_id"],
            name=self.cipher.decrypt(row["name"]) or "",
            happened_on=date.fromisoformat(row["happened_on"]),
            share=bool(row["share"]),
            celebrated_year=row["celebrated_year"],
        )

    async def of_person(self, guild_id: int, user_id: int) -> list[Anniversary]:
        rows = await self.db.fetch_all(
            f"SELECT {COLUMNS} FROM anniversaries WHERE guild_id = ? AND user_id = ?",  # noqa: S608
            (guild_id, user_id),
        )
        # Sorted here: an ORDER BY on the month and day leads SQLite to the month-day index,
        # scanning the whole server (70 ms at 50,000 rows instead of under 1).
        return sorted(
            (self._of(r) for r in rows), key=lambda a: (a.happened_on.strftime("%m-%d"), a.id)
        )

    async def get(self, anniversary_id: int) -> Anniversary | None:
        row = await self.db.fetch_one(
            f"SELECT {COLUMNS} FROM anniversaries WHERE id = ?",  # noqa: S608 (constants)
            (anniversary_id,),
        )
        return self._of(row) if row else None

    async def add(
        self,
        guild_id: int,
        user_id: int,
        name: str,
        happened_on: date,
        *,
        share: bool,
        celebrated_year: int,
        now: datetime,
        check: Callable[[list[Anniversary], str], None],
    ) -> Anniversary:
        """Add one; `check(existing, name)` raises to refuse it (duplicate, too many), inside
        the transaction so two quick adds can't both pass the limit."""
        async with self.db.transaction():
            check(await self.of_person(guild_id, user_id), name)
            row = await self.db.fetch_one(
                "INSERT INTO anniversaries (guild_id, user_id, name, happened_on, share, "
                "celebrated_year, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    guild_id,
                    user_id,
                    self.cipher.encrypt(name),
                    happened_on.isoformat(),
                    int(share),
                    celebrated_year,
                    now.isoformat(),
                ),
            )
        assert row is not None  # noqa: S101 (INSERT ... RETURNING always returns the row)
        return Anniversary(row[0], guild_id, user_id, name, happened_on, share, celebrated_year)

    async def remove(self, guild_id: int, user_id: int, name: str) -> Anniversary | None:
        """Remove the person's anniversary with this name (any case); None if there is none."""
        async with self.db.transaction():
            wanted = " ".join(name.split()).casefold()
            for anniversary in await self.of_person(guild_id, user_id):
                if anniversary.name.casefold() == wanted:
                    await self.db.execute(
                        "DELETE FROM anniversaries WHERE id = ?", (anniversary.id,)
                    )
                    return anniversary
        return None

    async def guilds(self) -> list[int]:
        rows = await self.db.fetch_all("SELECT DISTINCT guild_id FROM anniversaries")
        return [r[0] for r in rows]

    async def on_days(self, guild_id: int, month_days: list[str], year: int) -> list[Anniversary]:
        """A server's anniversaries falling on these "MM-DD" not yet celebrated in `year`."""
        marks = ", ".join("?" * len(month_days))
        rows = await self.db.fetch_all(
            f"SELECT {COLUMNS} FROM anniversaries WHERE guild_id = ? "  # noqa: S608 (marks)
            f"AND substr(happened_on, 6) IN ({marks}) AND celebrated_year < ?",
            (guild_id, *month_days, year),
        )
        return [self._of(r) for r in rows]

    async def claim(self, anniversary_id: int, year: int) -> bool:
        """Mark `year` celebrated (False if it already was): call it in the transaction that
        queues the congratulation, so both happen once or not at all."""
        row = await self.db.fetch_one(
            "UPDATE anniversaries SET celebrated_year = ? WHERE id = ? AND celebrated_year < ? "
            "RETURNING 1",
            (year, anniversary_id, year),
        )
        return row is not None
