import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from hmsxl.config import example_config_text, parse_config

import tomllib

YEAR = 2026
GENERATED_AT = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def unit():
    return parse_config(tomllib.loads(example_config_text(YEAR)), source="unit.toml")


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "unit.toml"
    path.write_text(example_config_text(YEAR), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """The example unit's workbooks, generated once for the read-only tests."""
    from hmsxl import generate

    unit = parse_config(tomllib.loads(example_config_text(YEAR)), source="unit.toml")
    out = tmp_path_factory.mktemp("generated")
    paths = generate(unit, out, generated_at=GENERATED_AT)
    return unit, paths


def _find_soffice():
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def soffice(tmp_path_factory):
    """A callable that runs LibreOffice headless with a private profile.

    In CI (CI=true) a missing LibreOffice fails the test instead of skipping it: the
    round trips through the real client must run there.
    """
    exe = _find_soffice()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is not installed, but CI must run the LibreOffice tests")
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = tmp_path_factory.mktemp("lo-profile")

    def run(*args, timeout=180):
        cmd = [exe, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}", *map(str, args)]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)

    return run
