"""The shape of the code, measured: feature boundaries (imports outside `api`, SQL on
another feature's tables), string cog lookups, `# type: ignore`s, the largest files and
classes. tests/unit/test_boundaries.py holds the boundaries to zero; run this for the
figures (issue 17):

    python tools/structure.py
"""

from __future__ import annotations

import ast
import re
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COGS = ROOT / "cogs"

# Who owns each table. A new migration's tables must be added here: the test below fails
# for a table nobody owns.
OWNERS: dict[str, set[str]] = {
    "bot": {"guild_config", "app_state", "outbox", "shard_leases", "gateway_handoffs"},
    "cohorts": {"cohorts", "agreements", "enrollments", "graduations", "cohort_team"},
    "alumni": {
        "alumni_spaces",
        "milestones",
        "milestone_announcements",
        "alumni_outreach_settings",
        "alumni_last_message",
        "alumni_outreach",
        "anniversaries",
    },
    "moderation": {"mod_actions", "reports", "reports_new"},
    "crisis": {
        "crisis_settings",
        "crisis_alerts",
        "crisis_alert_events",
        "crisis_outreach",
        "crisis_feedback",
        "local_resources",
        "screen_marks",
        "crisis_screened",
    },
    "checkins": {
        "checkin_settings",
        "checkin_prompts",
        "checkins",
        "assessments",
        "checkin_cohort_options",
        "checkin_digests",
    },
    "sessions": {
        "session_settings",
        "session_series",
        "session_occurrences",
        "session_reminders",
        "session_prefs",
        "session_rsvps",
        "session_attendance",
    },
    "support": {
        "safety_plans",
        "talk_settings",
        "staffed_hours",
        "conversations",
        "conversation_events",
        "plan_proposals",
    },
    "privacy": {"privacy_settings", "departures"},
}
OWNER_OF = {table: owner for owner, tables in OWNERS.items() for table in tables}
SQL_TABLE = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+(?:IF NOT EXISTS\s+)?([a-z_]+)")


def features() -> list[str]:
    return sorted(p.name for p in COGS.iterdir() if (p / "__init__.py").exists())


def _files(feature: str) -> list[Path]:
    return sorted((COGS / feature).rglob("*.py"))


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every import, dotted; `from cogs.x import api` gives cogs.x.api."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.count(".") == 1 and node.module.startswith("cogs."):
                # `from cogs.x import api`: what is imported is the module cogs.x.api.
                found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def _violations_of_imports(feature: str) -> list[str]:
    bad = []
    for path in _files(feature):
        for line, module in _imports(ast.parse(path.read_text(), str(path))):
            parts = module.split(".")
            if parts[0] != "cogs" or len(parts) < 3 or parts[1] == feature or parts[2] == "api":
                continue
            bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return bad


def _sql_tables(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [(node.lineno, m) for m in SQL_TABLE.findall(node.value) if m in OWNER_OF]
    return found


def cross_feature_imports() -> list[str]:
    return [v for feature in features() for v in _violations_of_imports(feature)]


def foreign_sql() -> list[str]:
    bad = []
    for feature in features():
        for path in _files(feature):
            for line, table in _sql_tables(ast.parse(path.read_text(), str(path))):
                if OWNER_OF[table] != feature:
                    owner = OWNER_OF[table]
                    bad.append(f"{path.relative_to(ROOT)}:{line} uses {table} ({owner}'s)")
    return bad


def emulator_imports() -> list[str]:
    """Places where Lantern itself (not its sandbox) imports the emulator."""
    bad = []
    for path in _product_files(include_sandbox=False):
        for line, module in _imports(ast.parse(path.read_text(), str(path))):
            if module.split(".")[0] == "emulator":
                bad.append(f"{path.relative_to(ROOT)}:{line}")
    return bad


def _product_files(*, include_sandbox: bool = True) -> list[Path]:
    files = []
    for package in ("bot", "cogs", "config"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if include_sandbox or not path.is_relative_to(ROOT / "bot" / "sandbox"):
                files.append(path)
    return files


def string_cog_lookups() -> list[str]:
    found = []
    for path in _product_files():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get_cog"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def type_ignores() -> list[str]:
    found = []
    for path in _product_files():
        with path.open("rb") as source:
            for token in tokenize.tokenize(source.readline):
                if token.type == tokenize.COMMENT and re.match(r"#\s*type:\s*ignore", token.string):
                    found.append(f"{path.relative_to(ROOT)}:{token.start[0]}")
    return found


def largest_files(count: int = 5) -> list[tuple[int, str]]:
    sizes = [(len(p.read_text().splitlines()), str(p.relative_to(ROOT))) for p in _product_files()]
    return sorted(sizes, reverse=True)[:count]


def largest_classes(count: int = 5) -> list[tuple[int, str]]:
    sizes = []
    for path in _product_files():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                lines = node.end_lineno - node.lineno + 1
                sizes.append((lines, f"{path.relative_to(ROOT)}:{node.name}"))
    return sorted(sizes, reverse=True)[:count]


def main() -> int:
    print(f"cross-feature imports outside api: {len(cross_feature_imports())}")
    print(f"SQL on another feature's tables:    {len(foreign_sql())}")
    print(f"emulator imports in Lantern:        {len(emulator_imports())}")
    print(f'string cog lookups (get_cog("…")):  {len(string_cog_lookups())}')
    ignores = type_ignores()
    print(f"# type: ignore (bot, cogs, config): {len(ignores)}")
    for where in ignores:
        print(f"  {where}")
    print("largest files (lines):")
    for lines, name in largest_files():
        print(f"  {lines:5d}  {name}")
    print("largest classes (lines):")
    for lines, name in largest_classes():
        print(f"  {lines:5d}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
