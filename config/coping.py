"""The coping-tools texts (`coping.toml`), loaded and validated at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from config.resources import load_data_file

DEFAULT_PATH = Path(__file__).with_name("coping.toml")


class Exercise(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=200)
    intro: str = Field(min_length=1, max_length=1000)
    steps: tuple[str, ...] = ()
    card: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    seconds: float = Field(default=4, gt=0, le=30)
    rounds: int = Field(default=4, ge=1, le=10)

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        kinds = [k for k in ("steps", "card", "phases") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError("an exercise needs exactly one of steps, card or phases")
        for text in (*self.steps, *self.card, *self.phases):
            if not text.strip() or len(text) > 1000:
                raise ValueError("every step must be 1 to 1000 characters")
        return self

    @property
    def kind(self) -> str:
        return "steps" if self.steps else "card" if self.card else "paced"


class CopingTexts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    outro: str = Field(min_length=1, max_length=500)
    exercises: dict[str, Exercise] = Field(min_length=1, max_length=5)

    @model_validator(mode="after")
    def _ids(self) -> Self:
        for key in self.exercises:
            # Ids travel in button custom_ids (`lantern:ground:<id>:<step>`).
            if not key.isascii() or not key.isalpha() or key != key.lower() or len(key) > 20:
                raise ValueError(f"exercise id {key!r} must be up to 20 lower-case letters")
        return self


def load_coping(path: Path = DEFAULT_PATH) -> CopingTexts:
    return load_data_file(path, CopingTexts)
