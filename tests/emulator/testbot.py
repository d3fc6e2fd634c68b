"""A small real discord.py bot for the emulator's own tests.

It exercises what Lantern needs: a slash command group with typed options and
autocomplete, defer + edit + followup, persistent views (button + select), a modal, DMs,
a private channel with a role and overwrites, timeouts, threads, scheduled events.
Expected Discord errors are caught and recorded in `cog.errors` (so nothing is logged at
ERROR, which the conftest fixture would fail on).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io

import discord
from discord import app_commands
from discord.ext import commands

ZONES = ["America/Chicago", "America/New_York", "Europe/London", "Asia/Tokyo"]


class SessionPanel(discord.ui.View):
    """Persistent: registered with bot.add_view, so it works after restarts/reconnects."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="I'll be there", custom_id="lantern:rsvp:yes")
    async def rsvp(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await interaction.response.edit_message(content=f"RSVP yes: {interaction.user.name}")

    @discord.ui.select(
        custom_id="lantern:pick",
        placeholder="How are you feeling?",
        options=[discord.SelectOption(label=str(i), value=str(i)) for i in range(1, 6)],
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.send_message(f"picked {select.values[0]}", ephemeral=True)


class CheckinView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="I'm okay", custom_id="lantern:checkin:ok")
    async def ok(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="Thanks for checking in.", view=None)


class EphemeralChoice(discord.ui.View):
    @discord.ui.button(label="Confirm", custom_id="lantern:confirm")
    async def confirm(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await interaction.response.send_message("confirmed", ephemeral=True)


class NoteModal(discord.ui.Modal, title="Leave a note"):
    note = discord.ui.TextInput(label="Note", custom_id="note", max_length=200)
    mood = discord.ui.TextInput(label="Mood", custom_id="mood", required=False)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"noted: {self.note.value} ({self.mood.value or 'no mood'})", ephemeral=True
        )


class ProbeCog(commands.Cog):
    setup = app_commands.Group(name="setup", description="Set Lantern up")

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.errors: list[BaseException] = []
        self.seen: list[discord.Message] = []
        self.deleted: list[discord.RawMessageDeleteEvent] = []
        self.gate = asyncio.Event()
        self.slow_for = 0.0

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        self.seen.append(message)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, event: discord.RawMessageDeleteEvent) -> None:
        self.deleted.append(event)

    @setup.command(name="server", description="Configure this server")
    @app_commands.describe(timezone="IANA zone of the program")
    async def setup_server(
        self,
        interaction: discord.Interaction,
        facilitator_role: discord.Role,
        timezone: str,
        cohort_size: app_commands.Range[int, 1, 20] = 8,
        announce_in: discord.TextChannel | None = None,
        helper: discord.Member | None = None,
    ) -> None:
        await interaction.response.send_message(
            f"role={facilitator_role.name} tz={timezone} size={cohort_size} "
            f"channel={announce_in.name if announce_in else None} "
            f"helper={helper.display_name if helper else None}",
            ephemeral=True,
        )

    @setup_server.autocomplete("timezone")
    async def zones(self, _: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in ZONES if current.lower() in z.lower()]

    @app_commands.command(name="report", description="Build a report slowly")
    async def report(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content="report ready")
        await interaction.followup.send("details for you", ephemeral=True)

    @app_commands.command(name="later", description="Defer, then answer when the test says")
    async def later(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        await self.gate.wait()
        try:
            await interaction.edit_original_response(content="finally")
        except discord.HTTPException as error:
            self.errors.append(error)

    @app_commands.command(name="slow", description="Answers after slow_for seconds")
    async def slow(self, interaction: discord.Interaction) -> None:
        await asyncio.sleep(self.slow_for)
        try:
            await interaction.response.send_message("sorry for the wait")
        except discord.HTTPException as error:
            self.errors.append(error)

    @app_commands.command(name="whisper", description="An answer only you see")
    async def whisper(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("just for you", ephemeral=True)

    @app_commands.command(name="panel", description="Post the session panel")
    async def panel(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Session tonight", view=SessionPanel())

    @app_commands.command(name="confirm", description="An ephemeral question")
    async def confirm(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Sure?", view=EphemeralChoice(), ephemeral=True)

    @app_commands.command(name="note", description="Leave a note")
    async def note(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(NoteModal())

    @app_commands.command(name="checkin", description="DM someone a check-in")
    async def checkin(self, interaction: discord.Interaction, member: discord.Member) -> None:
        try:
            await member.send("How are you today?", view=CheckinView())
        except discord.Forbidden as error:
            self.errors.append(error)
            await interaction.response.send_message("could not DM them", ephemeral=True)
            return
        await interaction.response.send_message("sent", ephemeral=True)

    @app_commands.command(name="room", description="Create a private room for a member")
    async def room(
        self, interaction: discord.Interaction, name: str, member: discord.Member
    ) -> None:
        guild = interaction.guild
        assert guild is not None
        await interaction.response.defer(ephemeral=True)
        try:
            role = await guild.create_role(name=f"{name}-members", mentionable=True)
            overwrites = {
                guild.default_role: discord.PermissionOverwrite(view_channel=False),
                role: discord.PermissionOverwrite(view_channel=True, send_messages=True),
                guild.me: discord.PermissionOverwrite(view_channel=True, send_messages=True),
            }
            channel = await guild.create_text_channel(name, overwrites=overwrites)
            await member.add_roles(role)
            await channel.send(f"Welcome {member.mention}")
        except discord.Forbidden as error:
            self.errors.append(error)
            await interaction.edit_original_response(content="forbidden")
            return
        await interaction.edit_original_response(content=f"created {channel.mention}")

    @app_commands.command(name="grant", description="Give a member a role")
    async def grant(
        self, interaction: discord.Interaction, member: discord.Member, role: discord.Role
    ) -> None:
        try:
            await member.add_roles(role)
        except discord.Forbidden as error:
            self.errors.append(error)
            await interaction.response.send_message("forbidden", ephemeral=True)
            return
        await interaction.response.send_message("granted", ephemeral=True)

    @app_commands.command(name="mute", description="Time a member out")
    async def mute(
        self, interaction: discord.Interaction, member: discord.Member, minutes: int
    ) -> None:
        try:
            await member.timeout(dt.timedelta(minutes=minutes))
        except discord.Forbidden as error:
            self.errors.append(error)
            await interaction.response.send_message("forbidden", ephemeral=True)
            return
        await interaction.response.send_message("muted", ephemeral=True)

    @app_commands.command(name="huddle", description="Open a private thread with someone")
    async def huddle(self, interaction: discord.Interaction, member: discord.Member) -> None:
        channel = interaction.channel
        assert isinstance(channel, discord.TextChannel)
        thread = await channel.create_thread(name="huddle", type=discord.ChannelType.private_thread)
        await thread.add_user(member)
        await thread.send("Let's talk here.")
        await interaction.response.send_message(f"opened {thread.mention}", ephemeral=True)

    @app_commands.command(name="session", description="Schedule a group session")
    async def session(self, interaction: discord.Interaction, name: str) -> None:
        guild = interaction.guild
        assert guild is not None
        start = discord.utils.utcnow() + dt.timedelta(days=1)
        event = await guild.create_scheduled_event(
            name=name,
            start_time=start,
            end_time=start + dt.timedelta(hours=1),
            entity_type=discord.EntityType.external,
            location="Room 4",
            privacy_level=discord.PrivacyLevel.guild_only,
        )
        await interaction.response.send_message(f"scheduled {event.name}", ephemeral=True)

    @app_commands.command(name="upload", description="Share a file back")
    async def upload(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        data = await file.read()
        copy = discord.File(io.BytesIO(data.upper()), f"copy-{file.filename}")
        await interaction.response.send_message(f"{file.filename}: {len(data)} bytes", file=copy)

    @app_commands.command(name="staff", description="Staff only")
    @app_commands.default_permissions(manage_guild=True)
    async def staff(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("staff area", ephemeral=True)


@app_commands.context_menu(name="Flag message")
async def flag_message(interaction: discord.Interaction, message: discord.Message) -> None:
    await interaction.response.send_message(
        f"flagged {message.content!r} by {message.author.name}", ephemeral=True
    )


@app_commands.context_menu(name="Check on")
@app_commands.guild_only()
async def check_on(interaction: discord.Interaction, member: discord.Member) -> None:
    await interaction.response.send_message(f"checking on {member.display_name}", ephemeral=True)


class ProbeBot(commands.Bot):
    def __init__(self, **options: object) -> None:
        intents = discord.Intents.default()
        intents.members = True
        intents.message_content = True
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.05, **options)
        self.cog: ProbeCog

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every re-IDENTIFY (after op 9); tests need not."""

    async def setup_hook(self) -> None:
        self.cog = ProbeCog(self)
        await self.add_cog(self.cog)
        self.tree.add_command(flag_message)
        self.tree.add_command(check_on)
        self.add_view(SessionPanel())
        self.add_view(CheckinView())
