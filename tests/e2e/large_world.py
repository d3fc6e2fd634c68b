"""A large, untidy IOP server for the large-data end-to-end suite.

Discord's people, channels and roles are built in the emulator before Lantern starts (one
GUILD_CREATE instead of hundreds of events); Lantern's records are then written through the
features' own stores, as slash commands would (120 alerts or 60 days of check-ins typed one
by one would take minutes). Every name is at its limit (Discord's, or Lantern's own where it
has a smaller one), and the text people wrote mixes emoji (ZWJ sequences, flags), Arabic,
Hebrew, markdown and `@everyone`, so a list that only works with short tidy names fails here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import discord

from bot.client import LanternBot
from bot.permissions import required_permissions
from bot.storage.guilds import GuildConfig
from cogs.alumni.store import AlumniSpace, AlumniStore
from cogs.cohorts import logic as cohort_logic
from cogs.cohorts import spaces
from cogs.cohorts.store import Cohort, CohortStore
from cogs.crisis.store import CrisisStore
from cogs.moderation.store import ModerationStore
from cogs.sessions import logic as session_logic
from cogs.sessions.attendance_store import AttendanceStore
from cogs.sessions.recurrence import Rule, occurrences
from cogs.sessions.store import SessionStore
from cogs.support.conversation_store import ConversationStore
from cogs.support.plan_parts import PART_LIMIT, PEOPLE_SLOTS, PERSON_LIMIT, parse_person
from cogs.support.plan_store import PlanStore
from cogs.support.talk_views import NOTE_LIMIT
from emulator import Emulator
from emulator.model import Channel, Guild, Member, Role

# --- Discord's and Lantern's limits the names are built to --------------------------------
USER_NAME = 32  # username, global name and nickname
CHANNEL_NAME = 100
ROLE_NAME = 100
GUILD_NAME = 100
COHORT_NAME = cohort_logic.MAX_NAME  # Lantern's own maximum (40), under Discord's 100
SESSION_TITLE = session_logic.MAX_TITLE  # 80
RESOURCE = {"name": 80, "contact": 120, "hours": 60, "note": 200}  # /resources add ranges
MOD_REASON = 300  # /mod timeout reason
CHECKIN_NOTE = 1000  # cogs/checkins/logic.py MAX_NOTE
EXCERPT = 300

# --- how big the server is ------------------------------------------------------------------
COHORTS = 30
ARCHIVED = 10  # the last ten cohorts have ended
BIG_COHORT = 50
RESOURCES = 12
ALERTS = 120
HEAVY_ALERTS = 30  # of the 120, about one person (their /crisis log member:)
CONVERSATIONS = 15  # one person's past /talk conversations
MOD_ACTIONS = 40
CHECKIN_DAYS = 70
SERIES = 6  # in the big cohort
ALERT_STATES = ("open", "acknowledged", "reached_out", "false_alarm", "closed")

# --- text people write -----------------------------------------------------------------------
FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # one glyph, seven code points
RAINBOW = "🏳️\u200d🌈"
FLAGS = "🇨🇦🇧🇷🇯🇵"
ARABIC = "سلام عليكم"
HEBREW = "שלום לכולם"
MARKDOWN = "**bold** _it_ `code` ||spoiler|| > quote"
LOUD = "@everyone @here"


def sized(text: str, size: int, pad: str = "ש") -> str:
    """`text` padded (with whole characters) to exactly `size` code points."""
    if len(text) > size:
        raise ValueError(f"{text!r} is already longer than {size}")
    return text + pad * (size - len(text))


def prose(label: str, size: int) -> str:
    """User text of exactly `size` code points with every awkward thing in it."""
    base = f"{label} {LOUD} {MARKDOWN} {FAMILY} {RAINBOW} {FLAGS} {ARABIC} {HEBREW}"
    while len(base) < size:
        base += f" {ARABIC} {FAMILY} {HEBREW} {LOUD} {MARKDOWN}"
    # Cut at a space so no emoji sequence is broken, then pad to the exact size.
    cut = base[:size]
    if len(base) > size and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return sized(cut, size, "x")


def nick(index: int) -> str:
    return sized(f"{FAMILY}#{index:02d} {ARABIC[:4]} @everyone", USER_NAME, "ש")


def global_name(index: int) -> str:
    return sized(f"{RAINBOW} {HEBREW[:4]} **{index:02d}**", USER_NAME, "ع")


def username(index: int) -> str:
    return sized(f"participant_{index:02d}_", USER_NAME, "x")


def cohort_name(index: int) -> str:
    # Unique by its number (names compare without case); a letter or digit keeps a slug.
    return sized(f"C{index:02d} {FLAGS[:2]} {FAMILY} {ARABIC[:4]} {HEBREW[:4]}", COHORT_NAME, "ש")


@dataclass
class LargeWorld:
    guild: Guild
    facilitator_role: Role
    alumni_role: Role
    owner: Member
    facilitator: Member
    people: list[Member]
    """The big cohort's 50, in enrolment order (people[49] is "person #50")."""
    others: list[Member]
    general: Channel
    escalations: Channel
    mod_log: Channel
    cohort_roles: dict[int, Role]
    cohort_channels: dict[int, dict[str, Channel]]
    cohorts: list[Cohort] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    alert_ids: list[int] = field(default_factory=list)
    conversation_ids: list[int] = field(default_factory=list)

    @property
    def big(self) -> Cohort:
        return self.cohorts[0]

    @property
    def heavy(self) -> Member:
        """The person with many alerts, conversations, check-ins and moderation actions."""
        return self.people[0]

    @property
    def last(self) -> Member:
        """Person #50."""
        return self.people[-1]

    def config(self) -> GuildConfig:
        return GuildConfig(
            guild_id=self.guild.id,
            facilitator_role_id=self.facilitator_role.id,
            alumni_role_id=self.alumni_role.id,
            escalation_channel_id=self.escalations.id,
            log_channel_id=self.mod_log.id,
            timezone="America/Chicago",
            region="US",
        )


def build_server(emu: Emulator) -> LargeWorld:
    """The Discord side: the guild, 3 staff, 50 + 58 participants, 30 cohort spaces."""
    owner_name = sized("owner_", USER_NAME, "x")
    guild = emu.create_guild(
        sized(f"Hope {FAMILY} {ARABIC} {HEBREW} {FLAGS}", GUILD_NAME),
        owner=owner_name,
        bot_permissions=required_permissions(),
    )
    facilitator_role = emu.create_role(
        guild, sized(f"Facilitator {RAINBOW} {ARABIC} {HEBREW} {LOUD}", ROLE_NAME)
    )
    alumni_role = emu.create_role(guild, sized(f"Alumni {FAMILY} {FLAGS} {ARABIC}", ROLE_NAME))
    owner = emu.member(guild, guild.owner_id)
    facilitator = emu.create_member(
        guild, sized("facilitator_", USER_NAME, "x"), roles=[facilitator_role], nick=nick(0)
    )
    general = emu.create_channel(guild, sized(f"general-{FAMILY}-{FLAGS}-", CHANNEL_NAME))
    staff_only = {
        guild: discord.PermissionOverwrite(view_channel=False),
        facilitator_role: discord.PermissionOverwrite(view_channel=True),
        guild.bot_role: discord.PermissionOverwrite(view_channel=True),
    }
    escalations = emu.create_channel(
        guild, sized(f"🚨-escalations-{HEBREW[:4]}-", CHANNEL_NAME), overwrites=staff_only
    )
    mod_log = emu.create_channel(
        guild, sized(f"mod-log-{ARABIC[:4]}-{RAINBOW}-", CHANNEL_NAME), overwrites=staff_only
    )
    cohort_roles: dict[int, Role] = {}
    cohort_channels: dict[int, dict[str, Channel]] = {}
    for index in range(COHORTS):
        name = cohort_name(index)
        cohort_roles[index] = emu.create_role(guild, spaces.role_name(name))
        category = emu.create_channel(guild, name, kind="category")
        pieces = {"category": category}
        for piece in spaces.TEXT_PIECES:
            pieces[piece] = emu.create_channel(guild, piece, parent=category)
        pieces["voice"] = emu.create_channel(
            guild, spaces.channel_name(name, "voice"), kind="voice", parent=category
        )
        cohort_channels[index] = pieces
    people = []
    for index in range(1, BIG_COHORT + 1):
        member = emu.create_member(
            guild, username(index), nick=nick(index), roles=[cohort_roles[0]]
        )
        member.user.global_name = global_name(index)
        people.append(member)
    others = []
    for index in range(1, COHORTS):
        for seat in range(2):
            number = 100 + index * 2 + seat
            member = emu.create_member(
                guild, username(number), nick=nick(number % 100), roles=[cohort_roles[index]]
            )
            member.user.global_name = global_name(number % 100)
            others.append(member)
    return LargeWorld(
        guild, facilitator_role, alumni_role, owner, facilitator, people, others,
        general, escalations, mod_log, cohort_roles, cohort_channels,
    )  # fmt: skip


async def seed(bot: LanternBot, world: LargeWorld, emu: Emulator) -> None:
    """Lantern's records, written through each feature's store."""
    now = bot.clock.now()
    await bot.guild_configs.save(world.config(), now)
    await _cohorts(bot, world, now)
    await _resources(bot, world, now)
    await _alerts(bot, world, now)
    await _conversations(bot, world, now)
    await _sessions(bot, world, now)
    await _checkins(bot, world, now)
    await _alumni(bot, world, emu, now)
    await _moderation(bot, world, now)
    await _plan(bot, world, now)


async def _cohorts(bot: LanternBot, world: LargeWorld, now: datetime) -> None:
    store = CohortStore(bot.db)
    by = world.facilitator.id
    await store.save_agreement(world.guild.id, prose("Agreement", 1500), by, now)
    today = now.date()
    for index in range(COHORTS):
        archived = index >= COHORTS - ARCHIVED
        starts = today - timedelta(weeks=20 + index) if archived else today - timedelta(weeks=2)
        channels = {p: c.id for p, c in world.cohort_channels[index].items()}
        async with bot.db.transaction() as tx:
            cohort_id = await store.create(
                tx,
                guild_id=world.guild.id,
                name=cohort_name(index),
                starts_on=starts,
                ends_on=starts + timedelta(weeks=10),
                capacity=cohort_logic.MAX_CAPACITY,
                created_by=by,
                now=now,
                channels={**channels, "role": world.cohort_roles[index].id},
            )
        cohort = await store.get(world.guild.id, cohort_id)
        assert cohort is not None
        members = world.people if index == 0 else world.others[(index - 1) * 2 : index * 2]
        for member in members:
            async with bot.db.transaction() as tx:
                enrollment = await store.enroll(
                    tx, cohort=cohort, user_id=member.id, by=by, now=now
                )
            if archived:
                loaded = await store.enrollment(enrollment)
                assert loaded is not None
                await store.graduate(loaded, by=by, on=today, now=now, keeps_history=True)
            elif member is not members[-1] or index == 0:
                await store.consent(enrollment, 1, now)  # the last of a small cohort is pending
        if archived:
            await store.archive(cohort_id, now)
        world.cohorts.append(cohort)


async def _resources(bot: LanternBot, world: LargeWorld, now: datetime) -> None:
    store = CrisisStore(bot.db, bot.cipher)
    for index in range(RESOURCES):
        name = resource_name(index)
        await store.add_resource(
            world.guild.id,
            name,
            prose(f"+1 555 01{index:02d}", RESOURCE["contact"]),
            prose("24/7", RESOURCE["hours"]),
            prose("Note", RESOURCE["note"]),
            world.facilitator.id,
            now,
        )
        world.resources.append(name)


def resource_name(index: int) -> str:
    return prose(f"R{index:02d} County Crisis Team", RESOURCE["name"])


async def _alerts(bot: LanternBot, world: LargeWorld, now: datetime) -> None:
    store = CrisisStore(bot.db, bot.cipher)
    group = world.cohort_channels[0]["group"]
    for index in range(ALERTS):
        person = world.heavy if index < HEAVY_ALERTS else world.people[index % BIG_COHORT]
        at = now - timedelta(hours=ALERTS - index)
        alert_id = await store.create(
            guild_id=world.guild.id,
            user_id=person.id,
            level="crisis" if index % 3 else "concern",
            score=0.9,
            source="message",
            channel_id=group.id,
            message_id=10_000 + index,
            jump_url=f"https://discord.com/channels/{world.guild.id}/{group.id}/{10_000 + index}",
            excerpt=prose(f"Alert {index}", EXCERPT),
            reasons=[{"rule": "ideation", "text": prose("why", 120)}],
            now=at,
        )
        for repeat in range(index % 4):  # re-alerts nobody answered, then more messages
            await store.note(alert_id, "realerted", None, at + timedelta(minutes=10 * repeat))
            await store.grouped(alert_id, "crisis", 0.95, at + timedelta(minutes=10 * repeat))
        await bot.db.execute(
            "UPDATE crisis_alerts SET realerts = ? WHERE id = ?", (index % 4, alert_id)
        )
        state = ALERT_STATES[index % len(ALERT_STATES)]
        if state != "open":
            alert = await store.set_status(
                alert_id, state, world.facilitator.id, at + timedelta(minutes=45),
                prose("detail", 200),
            )  # fmt: skip
            if alert is not None and state in ("false_alarm", "reached_out"):
                label = "none" if state == "false_alarm" else alert.level  # as the buttons do
                await store.add_feedback(alert, label, world.facilitator.id, now)
        world.alert_ids.append(alert_id)


async def _conversations(bot: LanternBot, world: LargeWorld, now: datetime) -> None:
    store = ConversationStore(bot.db, bot.cipher)
    who = world.heavy.id
    for index in range(CONVERSATIONS):
        opened = now - timedelta(days=CONVERSATIONS - index)
        conversation = await store.create(
            guild_id=world.guild.id, user_id=who, topic="hard", origin="command",
            alert_id=None, out_of_hours=bool(index % 2), now=opened,
        )  # fmt: skip
        assert conversation is not None  # the previous one is closed
        await store.claim(conversation, world.facilitator.id, opened + timedelta(minutes=3))
        await store.staff_replied(conversation, world.facilitator.id, opened + timedelta(minutes=4))
        for note in range(3):
            await store.add_note(
                conversation,
                world.facilitator.id,
                prose(f"Note {index}.{note}", NOTE_LIMIT),
                opened,
            )
        if index < CONVERSATIONS - 1:
            await store.close(
                conversation,
                world.facilitator.id,
                prose("Closed", 300),
                opened + timedelta(hours=1),
            )
        world.conversation_ids.append(conversation)


async def _sessions(bot: LanternBot, world: LargeWorld, now: datetime) -> None:
    """Six daily series in the big cohort, two weeks back and four ahead, everyone marked at
    the past ones; one weekly series in every other active cohort."""
    store = SessionStore(bot.db)
    records = AttendanceStore(bot.db, bot.cipher)
    zone = "America/Chicago"
    today = now.date()
    active = world.cohorts[: COHORTS - ARCHIVED]
    plans: list[tuple[Cohort, int]] = [(world.big, s) for s in range(SERIES)]
    plans += [(c, 0) for c in active[1:]]
    created = []
    for cohort, number in plans:
        rule = Rule(
            weekdays=(0, 1, 2, 3, 4, 5, 6) if cohort is world.big else (2,),
            start_time=time(8 + 2 * number, 0),
            duration_minutes=90,
            zone=zone,
            starts_on=today - timedelta(days=14),
            ends_on=today + timedelta(days=60),
        )
        async with bot.db.transaction() as tx:
            series_id = await store.add_series(
                tx, guild_id=world.guild.id, cohort_id=cohort.id,
                title=prose(f"S{number} {cohort.name[:3]}", SESSION_TITLE), kind="group",
                rule=rule, location=prose("Room", session_logic.MAX_LOCATION),
                link="https://example.org/room", by=world.facilitator.id, now=now,
            )  # fmt: skip
        series = await store.series(series_id)
        assert series is not None
        created.append(series)
    begin, until = now - timedelta(days=14), now + timedelta(days=28)
    async with bot.db.transaction() as tx:
        await store.insert_occurrences(
            tx, [(s, occurrences(s.rule, begin, until)) for s in created]
        )
        await store.set_planned(tx, [(s.id, until) for s in created])
    past = await store.sessions_of_cohort(world.big.id, begin, now)
    people = [p.id for p in world.people]
    for session in past[-12:]:
        await records.mark(session, people[:40], "present", world.facilitator.id, now)
        await records.mark(session, people[40:45], "absent", world.facilitator.id, now)
        await records.mark(session, people[45:], "excused", world.facilitator.id, now)
    upcoming = await store.sessions_of_cohort(world.big.id, now, until)
    for session in upcoming[:10]:
        for n, uid in enumerate(people):
            answer = "no" if n % 3 == 0 else "yes"
            reason = prose("Can't", 300) if answer == "no" else None
            await records.rsvp(session.id, uid, answer, reason, now)


async def _checkins(bot: LanternBot, world: LargeWorld, now: datetime) -> None:
    """70 days of daily check-ins, with a full note every day, for three people."""
    today = now.date()
    rows = []
    for member in (world.heavy, world.people[24], world.last):
        for back in range(CHECKIN_DAYS):
            day = today - timedelta(days=back)
            rows.append(
                (
                    world.guild.id, member.id, world.big.id, day.isoformat(), 1 + back % 5,
                    back % 11, back % 13, ("yes", "no", "skip")[back % 3],
                    bot.cipher.encrypt(prose(f"Day {back}", CHECKIN_NOTE)), back % 2,
                    (now - timedelta(days=back)).isoformat(),
                )
            )  # fmt: skip
    async with bot.db.transaction() as tx:
        await tx.execute_many(
            "INSERT INTO checkins (guild_id, user_id, cohort_id, local_day, mood, cravings, "
            "sleep_hours, used, note, shared, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


async def _alumni(bot: LanternBot, world: LargeWorld, emu: Emulator, now: datetime) -> None:
    store = AlumniStore(bot.db)
    category = emu.create_channel(
        world.guild, sized(f"Alumni {FAMILY} ", CHANNEL_NAME), kind="category"
    )
    names = ("lounge", "milestones", "ask-a-grad")
    made = [
        emu.create_channel(world.guild, sized(f"{n}-{RAINBOW}-", CHANNEL_NAME), parent=category)
        for n in names
    ]
    await store.save_space(
        AlumniSpace(world.guild.id, category.id, made[0].id, made[1].id, made[2].id), now
    )
    for index, member in enumerate([*world.people[:10], world.last]):
        start = now.date() - timedelta(days=25 + 40 * index)
        await store.set_optin(world.guild.id, member.id, start, now)


async def _moderation(bot: LanternBot, world: LargeWorld, now: datetime) -> None:
    store = ModerationStore(bot.db, bot.cipher)
    group = world.cohort_channels[0]["group"]
    for index in range(MOD_ACTIONS):
        await store.record(
            guild_id=world.guild.id,
            actor_id=world.facilitator.id,
            action=("timeout", "untimeout", "delete_message", "purge")[index % 4],
            now=now - timedelta(hours=MOD_ACTIONS - index),
            target_id=world.heavy.id,
            reason=prose(f"Reason {index}", MOD_REASON),
            channel_id=group.id,
            detail="3600",
        )
    for index in range(5):
        await store.add_report(
            guild_id=world.guild.id, reporter_id=world.people[index + 1].id,
            author_id=world.heavy.id, channel_id=group.id, message_id=20_000 + index,
            excerpt=prose(f"Reported {index}", EXCERPT), now=now,
        )  # fmt: skip


async def _plan(bot: LanternBot, world: LargeWorld, now: datetime) -> None:
    """Person #50's safety plan, every part at its maximum. People are entered as a person
    would type them in the modal (`name: how to reach`, 100 characters)."""
    store = PlanStore(bot.db, bot.cipher)
    for key in ("warning_signs", "coping_alone", "distractions", "professionals"):
        await store.save_part(world.guild.id, world.last.id, key, prose(key, PART_LIMIT), now)
    for key in ("safer_surroundings", "reasons"):
        await store.save_part(world.guild.id, world.last.id, key, prose(key, PART_LIMIT), now)
    people = [
        parse_person(sized(f"Sam {slot} {FAMILY}:555 01{slot:02d} {ARABIC}", PERSON_LIMIT, "x"))
        for slot in range(PEOPLE_SLOTS)
    ]
    await store.save_part(world.guild.id, world.last.id, "people", [p for p in people if p], now)
    await store.set_shared(world.guild.id, world.last.id, True, now)


__all__ = ["LargeWorld", "build_server", "seed"]
