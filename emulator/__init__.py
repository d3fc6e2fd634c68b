"""A local Discord emulator for tests and the `sandbox` command (see driver.py)."""

from emulator.driver import Emulator
from emulator.errors import BotDidNotRespond, DriverError, NotAllowed, NotVisible
from emulator.permissions import P

__all__ = ["BotDidNotRespond", "DriverError", "Emulator", "NotAllowed", "NotVisible", "P"]
