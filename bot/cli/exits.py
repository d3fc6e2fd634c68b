"""Exit codes of the `lantern` subcommands (a contract with scripts and orchestrators)."""

EXIT_OK = 0
EXIT_CONFIG = 2
"""A configuration problem: a readable line on stderr says what to fix."""
