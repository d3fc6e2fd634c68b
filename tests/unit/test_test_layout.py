"""Test layout (issue 17): shared steps live in step and harness modules (tests/e2e/steps/,
tests/e2e/harness.py, ...), so no file under tests/ or bench/ imports a test module
(`test_*.py`) or a conftest. Importing a test module runs its collection twice and ties one
feature's tests to another's; importing a conftest bypasses pytest's fixture loading."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("tests", "bench")


def _is_test_or_conftest(path: Path) -> bool:
    return path.name == "conftest.py" or (path.name.startswith("test_") and path.suffix == ".py")


def _module_file(root: Path, dotted: str) -> Path | None:
    """The repository file a dotted module name refers to, if it is one."""
    base = root.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_names(tree: ast.AST, package: str) -> list[tuple[int, str]]:
    """(line, dotted name) for every import anywhere in `tree`, also inside functions.
    `from a.b import c` yields both `a.b` and `a.b.c`, since `c` may be a module;
    relative imports are resolved against `package`."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def layout_violations(root: Path = ROOT) -> list[str]:
    bad = []
    for folder in SCANNED:
        for path in sorted((root / folder).rglob("*.py")):
            relative = path.relative_to(root)
            package = ".".join(relative.parent.parts)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for line, name in _imported_names(tree, package):
                target = _module_file(root, name)
                if target is not None and target != path and _is_test_or_conftest(target):
                    bad.append(f"{relative}:{line} imports {name}")
    return bad


def test_no_file_imports_a_test_module_or_a_conftest() -> None:
    bad = layout_violations()
    assert bad == [], "move the shared steps to tests/e2e/steps/ (or a harness):\n" + "\n".join(bad)


def test_the_check_can_fail(tmp_path: Path) -> None:
    (tmp_path / "tests" / "e2e" / "steps").mkdir(parents=True)
    (tmp_path / "bench").mkdir()
    for name in ("conftest", "test_a", "harness", "steps/__init__", "steps/common"):
        (tmp_path / "tests" / "e2e" / f"{name}.py").write_text("X = 1\n")
    (tmp_path / "tests" / "e2e" / "test_b.py").write_text(
        "from tests.e2e.test_a import X\n"
        "from tests.e2e import conftest\n"
        "from .test_a import X as Y\n"
        "from tests.e2e.harness import X as Z\n"
        "from tests.e2e.steps.common import X as W\n"
        "def test_x() -> None:\n"
        "    from tests.e2e.conftest import X\n"
    )
    (tmp_path / "bench" / "b.py").write_text("import tests.e2e.test_a\n")
    assert layout_violations(tmp_path) == [
        "tests/e2e/test_b.py:1 imports tests.e2e.test_a",
        "tests/e2e/test_b.py:2 imports tests.e2e.conftest",
        "tests/e2e/test_b.py:3 imports tests.e2e.test_a",
        "tests/e2e/test_b.py:7 imports tests.e2e.conftest",
        "bench/b.py:1 imports tests.e2e.test_a",
    ]
