"""Typed settings, read once at start-up from the environment and a `.env` file.

Every setting is documented here and in `.env.example` (a test keeps the two in step).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "LANTERN_"


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


class Settings(BaseSettings):
    """Lantern's settings. Field descriptions are the user-facing documentation."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    discord_token: SecretStr | None = Field(
        default=None,
        description="The bot token from the Discord Developer Portal (Bot page). Required to run.",
    )
    database: str = Field(
        default="data/lantern.db",
        description=(
            "Where Lantern keeps its data: a SQLite file path (or sqlite:///path; its "
            "directory is created if missing), or postgresql://user:password@host/db."
        ),
    )
    log_level: LogLevel = Field(
        default=LogLevel.INFO,
        description="Lowest level logged: DEBUG, INFO, WARNING or ERROR.",
    )
    log_format: LogFormat = Field(
        default=LogFormat.TEXT,
        description="`text` for people, `json` for one JSON object per line (log collectors).",
    )
    dev_guild_id: int | None = Field(
        default=None,
        description="During development: sync slash commands to this one server instantly "
        "instead of globally.",
    )
    application_id: int | None = Field(
        default=None,
        description="The application (client) id, used by `invite-url`. Optional: it is read "
        "from the token when unset.",
    )

    guild_ready_timeout: float = Field(
        default=2.0,
        ge=0.0,
        le=60.0,
        description="Seconds to wait after the last server arrives before Lantern counts as "
        "ready at start-up (discord.py's guild_ready_timeout).",
    )
    discord_api_url: str | None = Field(
        default=None,
        description="Testing only: the REST base of a local Discord stand-in (e.g. "
        "`http://127.0.0.1:8080/api/v10`). Leave unset to talk to Discord.",
    )
    discord_gateway_url: str | None = Field(
        default=None,
        description="Testing only: the gateway URL of a local Discord stand-in (e.g. "
        "`ws://127.0.0.1:8080/`). Leave unset to talk to Discord.",
    )

    shard_count: int | None = Field(
        default=None,
        ge=1,
        le=1024,
        description="Run sharded with this many shards in all (Discord requires sharding from "
        "2,500 servers). Unset: one connection, no sharding.",
    )
    shard_ids: str | None = Field(
        default=None,
        description="The shards this process runs, e.g. `0-1` or `0,2` (default: all of "
        "LANTERN_SHARD_COUNT). Processes sharing one PostgreSQL database split the shards "
        "between them; a process that dies has its shards taken over by the others.",
    )
    shard_lease_seconds: float = Field(
        default=30.0,
        ge=0.5,
        le=600.0,
        description="How long a process's claim on its shards lasts without being renewed "
        "(renewed every third of it): after a crash, its shards move to another process "
        "within about this time.",
    )

    data_key: SecretStr | None = Field(
        default=None,
        description="Key(s) that encrypt free-text health data at rest (notes, excerpts, "
        "conversations). Generate one with `python -m bot gen-key`; to rotate, put the new key "
        "first, comma, the old one, and run `python -m bot rotate-key`. Required by `run` "
        "unless LANTERN_ALLOW_PLAINTEXT=true.",
    )
    allow_plaintext: bool = Field(
        default=False,
        description="Run without LANTERN_DATA_KEY, storing health data unencrypted (not for "
        "real programs).",
    )

    @field_validator("data_key", mode="before")
    @classmethod
    def _valid_key(cls, value: object) -> object:
        if value in (None, ""):
            return None
        from bot.crypto import DataKeyError, parse_keys

        raw = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        try:
            parse_keys(raw)
        except DataKeyError as exc:
            raise ValueError(str(exc)) from None
        return value

    def data_keys(self) -> list[str] | None:
        from bot.crypto import parse_keys

        return parse_keys(self.data_key.get_secret_value()) if self.data_key else None

    @field_validator("database", mode="before")
    @classmethod
    def _database_text(cls, value: object) -> object:
        return str(value) if isinstance(value, Path) else value

    @property
    def database_path(self) -> Path | None:
        """The SQLite file; None when the data is in PostgreSQL."""
        return database_path(self.database)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_format(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator(
        "dev_guild_id",
        "application_id",
        "discord_api_url",
        "discord_gateway_url",
        "shard_count",
        "shard_ids",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _shards_fit(self) -> Settings:
        from bot.sharding import ShardSpecError, parse_shard_ids

        if self.shard_ids is not None and self.shard_count is None:
            raise ValueError(
                f"{env_name('shard_ids')} needs {env_name('shard_count')} (the total number "
                "of shards)"
            )
        if self.shard_count is not None:
            try:
                ids = parse_shard_ids(self.shard_ids, self.shard_count)
            except ShardSpecError as exc:
                raise ValueError(f"{env_name('shard_ids')}: {exc}") from None
            if len(ids) < self.shard_count and self.database_path is not None:
                raise ValueError(
                    "processes that share the shards need a shared PostgreSQL database: set "
                    f"{env_name('database')}=postgresql://... (SQLite serves one process)"
                )
        return self

    def shards(self) -> tuple[int, list[int]] | None:
        """(shard count, this process's shard ids), or None when not sharded."""
        from bot.sharding import parse_shard_ids

        if self.shard_count is None:
            return None
        return self.shard_count, parse_shard_ids(self.shard_ids, self.shard_count)


class SettingsError(Exception):
    """Settings are missing or malformed; the message is one readable line per problem."""


def env_name(field: str) -> str:
    return f"{ENV_PREFIX}{field.upper()}"


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning pydantic's errors into lines that name the variable to set."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(describe_validation_error(exc)) from None


def describe_validation_error(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        if not error["loc"]:  # a rule across settings: its message names them
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"{message}; set it in the environment or in .env (see .env.example).")
            continue
        field = str(error["loc"][0])
        lines.append(
            f"{env_name(field)} is invalid ({error['msg']}); "
            f"set it in the environment or in .env (see .env.example)."
        )
    return "\n".join(lines)


def require_token(settings: Settings) -> str:
    if settings.discord_token is None or not settings.discord_token.get_secret_value().strip():
        raise SettingsError(
            f"{env_name('discord_token')} is not set; put the bot token from the Discord "
            "Developer Portal in the environment or in .env (see .env.example)."
        )
    return settings.discord_token.get_secret_value().strip()


def database_path(target: str) -> Path | None:
    """The SQLite file a `database` setting names, or None for a PostgreSQL URL."""
    if target.startswith(("postgresql://", "postgres://")):
        return None
    return Path(target.removeprefix("sqlite:///"))
