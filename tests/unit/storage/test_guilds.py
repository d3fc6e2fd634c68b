import asyncio
from datetime import timedelta
from typing import Any

from bot.clock import FakeClock
from bot.storage import Database
from bot.storage.app_state import AppStateStore
from bot.storage.guilds import GuildConfig, GuildConfigStore


async def test_unknown_guild_has_no_config(db: Database) -> None:
    assert await GuildConfigStore(db).get(1) is None


async def test_saved_config_reads_back_and_updates_in_place(db: Database, clock: FakeClock) -> None:
    store = GuildConfigStore(db)
    config = GuildConfig(guild_id=5, facilitator_role_id=10, timezone="America/Chicago")
    await store.save(config, clock.now())
    assert await store.get(5) == config
    clock.advance(timedelta(minutes=1))
    await store.save(config.merged(region="US", timezone=None), clock.now())
    again = await store.get(5)
    assert again is not None and again.region == "US" and again.timezone == "America/Chicago"
    row = await db.fetch_one("SELECT created_at, updated_at FROM guild_config")
    assert row["created_at"] < row["updated_at"]


async def test_a_read_overtaken_by_a_save_does_not_cache_the_old_config(
    db: Database, clock: FakeClock
) -> None:
    """A lookup that read the row before /setup saved (and finished after) must not leave
    the old answer cached: the server would look unconfigured until a restart."""
    store = GuildConfigStore(db)
    read, release = asyncio.Event(), asyncio.Event()
    real_fetch = db.fetch_one

    async def slow_fetch(*args: Any) -> Any:
        row = await real_fetch(*args)
        read.set()
        await release.wait()  # the save happens while this read is "in flight"
        return row

    db.fetch_one = slow_fetch  # type: ignore[method-assign]
    early = asyncio.create_task(store.get(5))
    await read.wait()
    db.fetch_one = real_fetch  # type: ignore[method-assign]
    config = GuildConfig(guild_id=5, facilitator_role_id=10, timezone="UTC")
    await store.save(config, clock.now())
    release.set()
    assert await early is None  # what it read
    assert await store.get(5) == config  # not cached: read again


async def test_forget_reads_again_what_another_process_saved(
    db: Database, clock: FakeClock
) -> None:
    mine, theirs = GuildConfigStore(db), GuildConfigStore(db)
    await mine.save(GuildConfig(guild_id=5, facilitator_role_id=10), clock.now())
    assert (await mine.get(5)) is not None
    await theirs.save(GuildConfig(guild_id=5, facilitator_role_id=11), clock.now())
    assert (await mine.get(5)).facilitator_role_id == 10  # type: ignore[union-attr]  # cached
    mine.forget()
    assert (await mine.get(5)).facilitator_role_id == 11  # type: ignore[union-attr]


def test_missing_lists_required_settings_until_complete() -> None:
    config = GuildConfig(guild_id=1, facilitator_role_id=2)
    assert "facilitator_role_id" not in config.missing()
    assert "timezone" in config.missing() and not config.is_complete
    full = config.merged(
        alumni_role_id=3, escalation_channel_id=4, log_channel_id=5, timezone="UTC", region="US"
    )
    assert full.is_complete


async def test_app_state_set_and_overwrite(db: Database, clock: FakeClock) -> None:
    store = AppStateStore(db)
    assert await store.get("k") is None
    await store.set("k", "1", clock.now())
    await store.set("k", "2", clock.now())
    assert await store.get("k") == "2"
