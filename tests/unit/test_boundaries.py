"""Feature boundaries (issue 17): a feature uses another only through its `api` module, and
runs SQL only on its own tables; Lantern never imports the emulator. The analysis is
tools/structure.py (which also prints the figures); see docs/architecture.md."""

from __future__ import annotations

import ast
import re

from tools.structure import (
    OWNER_OF,
    ROOT,
    _imports,
    _sql_tables,
    cross_feature_imports,
    emulator_imports,
    foreign_sql,
    string_cog_lookups,
)


def test_migrations_tables_all_have_an_owner() -> None:
    created = set()
    for sql in (ROOT / "bot" / "storage" / "migrations").glob("*.sql"):
        created |= set(re.findall(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)", sql.read_text()))
    assert created - set(OWNER_OF) == set(), "add the new tables to OWNERS"


def test_features_import_each_other_only_through_api() -> None:
    bad = cross_feature_imports()
    assert bad == [], "\n".join(bad)


def test_features_run_sql_only_on_their_own_tables() -> None:
    bad = foreign_sql()
    assert bad == [], "\n".join(bad)


def test_no_cog_is_looked_up_by_a_string_name() -> None:
    assert string_cog_lookups() == []


def test_lantern_itself_never_imports_the_emulator() -> None:
    assert emulator_imports() == []


def test_the_checks_can_fail() -> None:
    tree = ast.parse("from cogs.cohorts.store import X\nfrom cogs.cohorts import api, logic\n")
    assert [m for _, m in _imports(tree)] == [
        "cogs.cohorts.store",
        "cogs.cohorts.api",
        "cogs.cohorts.logic",
    ]
    assert [t for _, t in _sql_tables(ast.parse('x = "SELECT * FROM enrollments e"'))] == [
        "enrollments"
    ]
