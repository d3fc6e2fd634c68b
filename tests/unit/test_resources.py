from pathlib import Path

import pytest

from config.resources import DataFileError, load_resources

REQUIRED_REGIONS = {"US", "CA", "UK", "IE", "AU", "NZ", "ES", "MX", "AR", "CO", "CL", "EU", "INTL"}


def test_shipped_table_is_valid_and_covers_the_required_regions() -> None:
    table = load_resources()
    assert set(table.regions) >= REQUIRED_REGIONS
    assert any(r.call == "988" for r in table.region("US").resources)


def test_unknown_or_unset_region_falls_back_to_international() -> None:
    table = load_resources()
    assert table.region("ZZ") is table.region(None) is table.regions["INTL"]


def test_resource_without_any_contact_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text(
        'version = 1\nfallback = "X"\n[regions.X]\nname = "x"\nemergency = "1"\n'
        '[[regions.X.resources]]\nname = "nothing"\n'
    )
    with pytest.raises(DataFileError, match="needs at least one of call, text or chat"):
        load_resources(path)


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text("version = \n")
    with pytest.raises(DataFileError, match=r"r\.toml: not valid TOML"):
        load_resources(path)


def test_fallback_must_exist(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text('version = 1\nfallback = "NOPE"\n[regions]\n')
    with pytest.raises(DataFileError, match="fallback region"):
        load_resources(path)
