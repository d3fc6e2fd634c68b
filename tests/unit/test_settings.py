import re
from pathlib import Path

import pytest

from config.settings import LogFormat, Settings, SettingsError, load_settings, require_token

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in list(__import__("os").environ):
        if name.startswith("LANTERN_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_need_nothing_but_a_token_to_run() -> None:
    settings = load_settings()
    assert settings.database == "data/lantern.db"
    assert settings.database_path == Path("data/lantern.db")
    assert settings.log_format is LogFormat.TEXT
    with pytest.raises(SettingsError, match="LANTERN_DISCORD_TOKEN is not set"):
        require_token(settings)


def test_values_come_from_environment_and_dotenv(monkeypatch, tmp_path) -> None:
    (tmp_path / ".env").write_text("LANTERN_DISCORD_TOKEN=abc.def.ghi\nLANTERN_LOG_FORMAT=JSON\n")
    monkeypatch.setenv("LANTERN_DEV_GUILD_ID", "42")
    settings = load_settings()
    assert require_token(settings) == "abc.def.ghi"
    assert settings.log_format is LogFormat.JSON
    assert settings.dev_guild_id == 42


@pytest.mark.parametrize(
    ("name", "value"),
    [("LANTERN_LOG_LEVEL", "loud"), ("LANTERN_LOG_FORMAT", "xml"), ("LANTERN_DEV_GUILD_ID", "x")],
)
def test_malformed_setting_names_the_variable(monkeypatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"{name} is invalid")
    assert "\n" not in str(caught.value)


def test_blank_token_counts_as_missing(monkeypatch) -> None:
    monkeypatch.setenv("LANTERN_DISCORD_TOKEN", "   ")
    with pytest.raises(SettingsError):
        require_token(load_settings())


def test_every_setting_is_documented_in_env_example() -> None:
    documented = set(
        re.findall(r"^#?\s*(LANTERN_[A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    declared = {f"LANTERN_{name.upper()}" for name in Settings.model_fields}
    assert declared == documented
    for name, field in Settings.model_fields.items():
        assert field.description, f"{name} has no description"


def test_the_database_is_a_path_a_sqlite_url_or_a_postgresql_url() -> None:
    def where(value: str) -> Path | None:
        return Settings(_env_file=None, database=value).database_path  # type: ignore[call-arg]

    assert where("/var/lib/lantern/lantern.db") == Path("/var/lib/lantern/lantern.db")
    assert where("sqlite:///var/lib/lantern.db") == Path("var/lib/lantern.db")
    assert where("sqlite:////var/lib/lantern.db") == Path("/var/lib/lantern.db")
    assert where("postgresql://lantern:secret@db/lantern") is None
