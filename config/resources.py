"""The crisis-resource table (`crisis_resources.toml`), loaded and validated at start-up."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DEFAULT_PATH = Path(__file__).with_name("crisis_resources.toml")


M = TypeVar("M", bound=BaseModel)


class DataFileError(Exception):
    """A data file in `config/` is missing or invalid; the message names file and field."""


class CrisisResource(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    call: str | None = None
    text: str | None = None
    text_keyword: str | None = None
    chat: str | None = None
    hours: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if not (self.call or self.text or self.chat):
            raise ValueError(f"{self.name!r} needs at least one of call, text or chat")
        if self.text_keyword and not self.text:
            raise ValueError(f"{self.name!r} has text_keyword but no text number")
        return self


class Region(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    emergency: str = Field(min_length=1)
    resources: tuple[CrisisResource, ...] = Field(min_length=1)


class ResourceTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    fallback: str
    regions: dict[str, Region]

    @model_validator(mode="after")
    def _codes(self) -> Self:
        for code in self.regions:
            if code != code.upper() or not code.isalpha():
                raise ValueError(f"region code {code!r} must be upper-case letters")
        if self.fallback not in self.regions:
            raise ValueError(f"fallback region {self.fallback!r} is not in the table")
        return self

    def region(self, code: str | None) -> Region:
        """The region's entry, or the fallback for an unknown or unset code."""
        return self.regions.get(code or "", self.regions[self.fallback])

    def codes(self) -> list[str]:
        return list(self.regions)


def read_toml(path: Path) -> dict[str, Any]:
    """A data file's contents; DataFileError names the file and what is wrong."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise DataFileError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"{path}: not valid TOML ({exc})") from None


def load_data_file(path: Path, model: type[M]) -> M:
    """Read and validate a TOML data file against a pydantic model, with one readable line
    (file, location, problem) when it is wrong."""
    raw = read_toml(path)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise DataFileError(f"{path}: {where}: {first['msg']}") from None


def load_resources(path: Path = DEFAULT_PATH) -> ResourceTable:
    return load_data_file(path, ResourceTable)
