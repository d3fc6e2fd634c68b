"""Shards (issue 19): each shard a session of its own, possibly in another process; events
routed by server, DMs to shard 0; Discord's refusals (4010, 4011, identifying too fast).
Clients are discord.py's AutoShardedClient, one per "process" (shard_ids=[k])."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest

from emulator import Emulator, wiring
from emulator.model import Guild

COUNT = 4
PER_SHARD = 8  # 32 servers over 4 shards


class ShardClient(discord.AutoShardedClient):
    """Records what it receives; identifies without discord.py's 5 s pause between shards
    (the emulator's identify limit is off unless a test turns it on)."""

    def __init__(self, **options: Any) -> None:
        intents = discord.Intents.default()
        intents.members = True
        intents.message_content = True
        super().__init__(intents=intents, guild_ready_timeout=0.05, **options)
        self.messages: list[tuple[int | None, str]] = []  # (server id or None for a DM, text)
        self.interactions: list[int | None] = []

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None

    async def on_message(self, message: discord.Message) -> None:
        self.messages.append((message.guild.id if message.guild else None, message.content))

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        self.interactions.append(interaction.guild_id)


def servers(emu: Emulator) -> dict[int, list[Guild]]:
    by_shard: dict[int, list[Guild]] = {s: [] for s in range(COUNT)}
    for shard in range(COUNT):
        for n in range(PER_SHARD):
            guild = emu.create_guild(f"IOP {shard}-{n}", shard=(shard, COUNT))
            emu.create_channel(guild, "general")
            by_shard[shard].append(guild)
    return by_shard


@contextlib.asynccontextmanager
async def process(emu: Emulator, shard_ids: list[int]) -> AsyncIterator[ShardClient]:
    client = ShardClient(shard_count=COUNT, shard_ids=shard_ids)
    async with wiring.connected(emu, client):
        yield client


def general(emu: Emulator, guild: Guild) -> Any:
    return next(c for c in emu.world.channels.values() if c.guild_id == guild.id)


async def test_each_process_gets_its_shards_servers_and_only_their_events(emu: Emulator) -> None:
    by_shard = servers(emu)
    person = emu.create_user("pat")
    for guilds in by_shard.values():
        for guild in guilds:
            emu.create_member(guild, person)
    async with process(emu, [0, 1]) as a, process(emu, [2, 3]) as b:
        assert {g.id for g in a.guilds} == {g.id for s in (0, 1) for g in by_shard[s]}
        assert {g.id for g in b.guilds} == {g.id for s in (2, 3) for g in by_shard[s]}
        assert sorted(emu.gateway.connected_shards()) == [0, 1, 2, 3]
        assert a.get_shard(0) is not None and a.get_shard(2) is None
        for shard, guilds in by_shard.items():
            await emu.say(person, general(emu, guilds[0]), f"in shard {shard}")
        await emu.dm(person, "a DM")
        await emu.wait_for(lambda: len(a.messages) == 3 and len(b.messages) == 2)
        assert sorted(t for _, t in a.messages) == ["a DM", "in shard 0", "in shard 1"]
        assert sorted(t for _, t in b.messages) == ["in shard 2", "in shard 3"]
        assert emu.gateway.stats.per_shard[2] > 0


async def test_a_shard_closed_in_one_process_is_taken_up_by_another(emu: Emulator) -> None:
    by_shard = servers(emu)
    person = emu.create_user("pat")
    emu.create_member(by_shard[1][0], person)
    async with process(emu, [0, 1]) as a, process(emu, [2, 3]) as b:
        first = emu.gateway.connected_shards()[1]
        shards = a._AutoShardedClient__shards  # type: ignore[attr-defined]
        await shards.pop(1).close()  # a hands shard 1 back
        await emu.wait_for(lambda: 1 not in emu.gateway.connected_shards())
        b.shard_ids.append(1)  # type: ignore[union-attr]
        await b.launch_shard(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY, 1)
        await emu.wait_for(lambda: 1 in emu.gateway.connected_shards())
        assert emu.gateway.connected_shards()[1] != first  # a new session
        await emu.wait_for(lambda: b.get_guild(by_shard[1][0].id) is not None)
        await emu.say(person, general(emu, by_shard[1][0]), "after the move")
        await emu.wait_for(lambda: (by_shard[1][0].id, "after the move") in b.messages)
        assert (by_shard[1][0].id, "after the move") not in a.messages


async def raw_identify(emu: Emulator, payload: dict[str, Any]) -> tuple[str, Any]:
    """IDENTIFY by hand: ("close", code) or ("op", op) of the first answer after HELLO."""
    async with aiohttp.ClientSession() as http, http.ws_connect(emu.gateway_url) as ws:
        await ws.receive_json()  # HELLO
        await ws.send_json({"op": 2, "d": {"token": emu.bot_token, "intents": 513, **payload}})
        msg = await ws.receive(timeout=5)
        if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            return "close", ws.close_code if msg.data is None else msg.data
        return "op", msg.json()["op"]


@pytest.mark.parametrize("shard", [[4, 4], [-1, 4], [0, 0], "zero"])
async def test_an_invalid_shard_is_closed_with_4010(emu: Emulator, shard: Any) -> None:
    servers(emu)
    assert await raw_identify(emu, {"shard": shard}) == ("close", 4010)


async def test_a_session_with_too_many_servers_is_closed_with_4011() -> None:
    async with Emulator(max_guilds_per_session=10) as emu:
        servers(emu)  # 32 servers, 8 per shard of 4
        assert await raw_identify(emu, {}) == ("close", 4011)  # unsharded: all 32
        assert await raw_identify(emu, {"shard": [0, 2]}) == ("close", 4011)  # 16 each
        assert await raw_identify(emu, {"shard": [0, 4]}) == ("op", 0)  # READY


async def test_identifying_too_fast_gets_op_9() -> None:
    async with Emulator(identify_interval=5.0, max_concurrency=2) as emu:
        servers(emu)
        assert await raw_identify(emu, {"shard": [0, 4]}) == ("op", 0)
        assert await raw_identify(emu, {"shard": [1, 4]}) == ("op", 0)  # another bucket
        assert await raw_identify(emu, {"shard": [2, 4]}) == ("op", 9)  # bucket 0 again


async def test_gateway_bot_recommends_one_shard_per_thousand_servers(emu: Emulator) -> None:
    for n in range(1001):
        emu.create_guild(f"g{n}", owner=None)
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bot {emu.bot_token}"}
        async with http.get(f"{emu.api_base}/gateway/bot", headers=headers) as response:
            body = await response.json()
    assert body["shards"] == 2
    assert body["session_start_limit"]["max_concurrency"] == 1


async def test_member_requests_are_answered_on_the_servers_shard_only(emu: Emulator) -> None:
    by_shard = servers(emu)
    async with process(emu, [0, 1]) as a:
        guild = a.get_guild(by_shard[1][0].id)
        assert guild is not None
        members = await guild.query_members(user_ids=[guild.owner_id or 0])
        assert [m.id for m in members] == [guild.owner_id]


async def test_a_drop_on_one_shard_resumes_only_its_events(emu: Emulator) -> None:
    by_shard = servers(emu)
    person = emu.create_user("pat")
    for shard in (0, 1):
        emu.create_member(by_shard[shard][0], person)
    async with process(emu, [0, 1]) as a:
        resumes = emu.gateway.stats.resumes
        await emu.faults.drop_connection(shard=1)
        await emu.say(person, general(emu, by_shard[1][0]), "while away")
        await emu.wait_for(lambda: emu.gateway.stats.resumes == resumes + 1)
        await emu.wait_for(lambda: (by_shard[1][0].id, "while away") in a.messages)
        await emu.say(person, general(emu, by_shard[0][0]), "on shard 0")
        await emu.wait_for(lambda: (by_shard[0][0].id, "on shard 0") in a.messages)
        assert [t for _, t in a.messages].count("while away") == 1


async def test_the_global_rate_limit_is_shared_by_every_process_with_the_token(
    emu: Emulator,
) -> None:
    """Two processes (two HTTP sessions, same token): 12 requests in one window of a global
    limit of 10 get 429s between them, whoever sends them (Discord's limit is per bot)."""
    guild = emu.create_guild("IOP")
    rooms = [emu.create_channel(guild, f"room-{n}") for n in range(12)]  # no route limit bites
    emu.ratelimits.enabled = True
    emu.ratelimits.configure_global(10, per=5.0)
    headers = {"Authorization": f"Bot {emu.bot_token}"}

    async def send(http: aiohttp.ClientSession, n: int) -> tuple[int, bool]:
        url = f"{emu.api_base}/channels/{rooms[n].id}/messages"
        async with http.post(url, json={"content": f"m{n}"}, headers=headers) as response:
            body = await response.json()
            return response.status, bool(response.status == 429 and body.get("global"))

    async with aiohttp.ClientSession() as a, aiohttp.ClientSession() as b:
        results = [await send(a if n % 2 else b, n) for n in range(12)]
    assert [s for s, _ in results].count(200) == 10
    assert [g for s, g in results if s == 429] == [True, True]
