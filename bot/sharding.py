"""Which shard a server belongs to, and which shards a process runs: pure rules.

Discord routes a server's events to shard `(guild_id >> 22) % shard_count`; DMs and other
events without a server arrive on shard 0, so work without a server belongs to shard 0 too.
"""

from __future__ import annotations

from collections.abc import Collection


class ShardSpecError(ValueError):
    """A shard list that can't be read or doesn't fit the shard count."""


def parse_shard_ids(spec: str | None, count: int) -> list[int]:
    """`0-1`, `0,2`, `0-3,6` (whitespace allowed) -> sorted ids; None or empty -> all."""
    if spec is None or not spec.strip():
        return list(range(count))
    ids: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        low, dash, high = part.partition("-")
        try:
            first = int(low)
            last = int(high) if dash else first
        except ValueError:
            raise ShardSpecError(f"{part!r} is not a shard id or a range like 0-3") from None
        if first > last:
            raise ShardSpecError(f"{part!r} runs backwards")
        if first < 0 or last >= count:
            raise ShardSpecError(f"{part!r} is outside 0-{count - 1} (the shard count is {count})")
        ids.update(range(first, last + 1))
    return sorted(ids)


def shard_of(guild_id: int | None, count: int) -> int:
    """The shard that carries `guild_id`'s events (shard 0 for DMs: no server)."""
    return 0 if guild_id is None else (guild_id >> 22) % count


def owned_sql(column: str, count: int, shards: Collection[int]) -> str:
    """A SQL condition (SQLite and PostgreSQL alike) true for rows whose server `column`
    is on one of `shards`. Only integers are inlined, so it is safe to format in."""
    if len(shards) >= count:
        return "1 = 1"
    if not shards:
        return "1 = 0"
    listed = ", ".join(str(int(s)) for s in sorted(shards))
    return f"((COALESCE({column}, 0) >> 22) % {int(count)}) IN ({listed})"
