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


@pytest.fixture(autouse=True)
def _bokmal_in_force():
    """Each test starts in bokmål, whatever language a command before it left in force."""
    from hmsxl import labels

    with labels.language(labels.DEFAULT_LANGUAGE):
        yield


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


def _uno_python():
    import subprocess as sp

    for exe in (os.environ.get("UNO_PYTHON"), "/usr/bin/python3", "/usr/lib/libreoffice/program/python", "python3"):
        if exe and (os.path.exists(exe) or shutil.which(exe)):
            try:
                if sp.run([exe, "-c", "import uno"], capture_output=True, timeout=60).returncode == 0:
                    return exe
            except (OSError, sp.TimeoutExpired):
                continue
    return None


@pytest.fixture(scope="session")
def lo_fill(soffice):
    """A callable that fills and saves workbooks through LibreOffice's UNO API (tests/lo_fill.py)."""
    import json

    exe = _uno_python()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("No Python with LibreOffice's uno module (python3-uno), but CI must run these tests")
        pytest.skip("python3-uno is not installed")

    def run(jobs, tmp_path):
        spec = tmp_path / "jobs.json"
        spec.write_text(json.dumps(jobs, default=str), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        result = subprocess.run([exe, str(Path(__file__).with_name("lo_fill.py")), str(spec)],
                                capture_output=True, text=True, timeout=600, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        for job in jobs:
            for path, *_ in job["outputs"]:
                assert Path(path).exists(), f"LibreOffice did not write {path}: {result.stderr}"

    return run


@pytest.fixture(scope="session")
def saved_by_libreoffice(generated, lo_fill, tmp_path_factory):
    """samling's filled workbook (one wrong status in H5) saved by LibreOffice as xls and
    ods, with and without the password "hemmelig"; and as f.xlsx, f.ods and f.xls with
    formulas that fail (#VALUE! in Handlingsplan!I5 from a deadline typed as text in G5,
    #DIV/0! in G6 and in Årsrapport!D6)."""
    from hmsxl import generate
    from hmsxl.simulate import simulated_fill

    unit, paths = generated
    tmp = tmp_path_factory.mktemp("lo")
    fills = {"samling": simulated_fill(unit, "samling", seed=5)}
    (src,) = generate(unit, tmp / "src", sections=["samling"], fills=fills, generated_at=GENERATED_AT)
    out = {name: tmp / name for name in ("s.xls", "s-pw.xls", "s.ods", "s-pw.ods", "f.xlsx", "f.ods", "f.xls")}
    formulas = [("Handlingsplan", "G5", "snart", "string"), ("Handlingsplan", "I5", "=G5+30", "formula"),
                ("Handlingsplan", "G6", "=1/0", "formula"), ("Årsrapport", "D6", "=1/0", "formula")]
    lo_fill([{"input": str(src), "ops": [{"op": "set", "sheet": "Handlingsplan", "cell": "H5", "value": "halvveis"}],
              "outputs": [[str(out["s.xls"]), "MS Excel 97"], [str(out["s-pw.xls"]), "MS Excel 97", "hemmelig"],
                          [str(out["s.ods"]), "calc8"], [str(out["s-pw.ods"]), "calc8", "hemmelig"]]},
             {"input": str(src), "ops": [{"op": "set", "sheet": sheet, "cell": cell, "value": value, "type": typ}
                                         for sheet, cell, value, typ in formulas],
              "outputs": [[str(out["f.xlsx"]), "Calc MS Excel 2007 XML"], [str(out["f.ods"]), "calc8"],
                          [str(out["f.xls"]), "MS Excel 97"]]}], tmp)
    return out
