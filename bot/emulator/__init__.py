"""A local Discord emulator for tests and the `sandbox` command (see driver.py)."""

from bot.emulator.driver import Emulator
from bot.emulator.errors import BotDidNotRespond, DriverError, NotAllowed, NotVisible
from bot.emulator.permissions import P

__all__ = ["BotDidNotRespond", "DriverError", "Emulator", "NotAllowed", "NotVisible", "P"]
