"""The scheduling examples in deploy/: the systemd units, the cron line, `make rebuild`."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BUDGET_VARS = ("BUDGET_DOCS_DIR", "BUDGET_WAREHOUSE_PATH", "BUDGET_LANDED_PATH")


def _unit(name: str) -> configparser.ConfigParser:
    # systemd allows repeated keys (Environment=); the last one wins here, _environment reads all
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


def _environment(name: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("Environment="):
            for item in shlex.split(line.removeprefix("Environment=")):
                key, _, value = item.partition("=")
                env[key] = value
    return env


def test_service_runs_the_rebuild_in_the_checkout_with_the_budget_variables():
    service = _unit("budget-rebuild.service")["Service"]
    assert service["Type"] == "oneshot"
    workdir = Path(service["WorkingDirectory"])
    assert workdir.is_absolute()
    command = shlex.split(service["ExecStart"])
    # the venv's python, not make: make would turn exit codes 1 and 3 into 2
    assert command == [str(workdir / ".venv/bin/python"), "-m", "loaders", "rebuild"]
    env = _environment("budget-rebuild.service")
    for var in BUDGET_VARS:
        assert Path(env[var]).is_relative_to(workdir), var
    assert env["BUDGET_WAREHOUSE_PATH"].endswith(".duckdb")
    assert service["SuccessExitStatus"] == "3"  # another rebuild was running: not a failure
    # a missing or empty documents folder would empty the warehouse: the unit refuses to start
    unit = _unit("budget-rebuild.service")["Unit"]
    assert (
        unit["AssertPathIsDirectory"] == unit["AssertDirectoryNotEmpty"] == env["BUDGET_DOCS_DIR"]
    )


def test_timer_starts_the_service_daily_at_three_and_catches_up():
    timer = _unit("budget-rebuild.timer")
    assert timer["Timer"]["OnCalendar"] == "*-*-* 03:00:00"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Timer"]["Unit"] == "budget-rebuild.service"
    assert timer["Install"]["WantedBy"] == "timers.target"


def _crontab() -> tuple[dict[str, str], list[str]]:
    lines = [
        line.strip()
        for line in (DEPLOY / "cron.example").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    env = dict(line.split("=", 1) for line in lines if re.match(r"^[A-Z_]+=", line))
    return env, [line for line in lines if not re.match(r"^[A-Z_]+=", line)]


def test_cron_line_runs_the_rebuild_daily_at_three_in_the_checkout():
    env, jobs = _crontab()
    assert len(jobs) == 1
    fields = jobs[0].split(None, 5)
    assert fields[:5] == ["0", "3", "*", "*", "*"]
    command = fields[5]
    match = re.match(
        r'cd (\S+) && test -d "\$BUDGET_DOCS_DIR" && \.venv/bin/python -m loaders rebuild( |$)',
        command,
    )
    assert match, command
    for var in BUDGET_VARS:
        assert Path(env[var]).is_relative_to(match.group(1)), var
    assert "%" not in command  # cron would turn it into a newline


def test_cron_line_does_not_rebuild_from_a_missing_documents_folder(tmp_path):
    _, jobs = _crontab()
    command = jobs[0].split(None, 5)[5]
    command = command.replace(".venv/bin/python", sys.executable)
    command = command.replace("/srv/budget-warehouse", str(ROOT))
    command = command.replace("warehouse/budget.duckdb.rebuild.log", str(tmp_path / "cron.log"))
    cron_env = {
        "PATH": "/usr/bin:/bin",
        "BUDGET_DOCS_DIR": str(tmp_path / "not-mounted"),
        "BUDGET_WAREHOUSE_PATH": str(tmp_path / "budget.duckdb"),
        "BUDGET_LANDED_PATH": str(tmp_path / "landed"),
    }
    run = subprocess.run(["/bin/sh", "-c", command], env=cron_env, timeout=60)
    assert run.returncode != 0
    assert not (tmp_path / "budget.duckdb.runs.jsonl").exists()  # the rebuild never started
    assert not (tmp_path / "landed").exists()


def test_watch_service_runs_the_watcher_in_the_checkout_and_stops_cleanly():
    service = _unit("budget-watch.service")["Service"]
    assert service["Type"] == "simple"
    rebuild = _unit("budget-rebuild.service")["Service"]
    assert service["WorkingDirectory"] == rebuild["WorkingDirectory"]
    command = shlex.split(service["ExecStart"])
    assert command[1:4] == ["-m", "loaders", "watch"]
    assert _environment("budget-watch.service").keys() >= set(BUDGET_VARS)
    assert service["KillSignal"] == "SIGTERM"  # the watcher finishes its rebuild, then exits 0
    assert service["Restart"] == "on-failure"
    assert _unit("budget-watch.service")["Install"]["WantedBy"] == "multi-user.target"


def test_units_pass_systemd_analyze_verify(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed: unit files only parsed")
    # verify checks that ExecStart exists: point the example paths at this checkout
    units = ("budget-rebuild.service", "budget-rebuild.timer", "budget-watch.service")
    for name in units:
        text = (DEPLOY / name).read_text(encoding="utf-8")
        text = text.replace("/srv/budget-warehouse/.venv/bin/python", sys.executable)
        (tmp_path / name).write_text(text.replace("/srv/budget-warehouse", str(ROOT)))
    run = subprocess.run(
        ["systemd-analyze", "verify", *units],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0 and run.stderr == "", run.stderr
    calendar = subprocess.run(
        ["systemd-analyze", "calendar", "*-*-* 03:00:00"], capture_output=True, text=True
    )
    assert "Normalized form: *-*-* 03:00:00" in calendar.stdout


def test_make_rebuild_runs_the_cli_after_the_install_stamp():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    run = subprocess.run(
        ["make", "-n", "rebuild", "VENV=.venv-nonexistent"], cwd=ROOT, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "pip install" in run.stdout  # the install stamp comes first (a dry run here)
    assert lines[-1] == ".venv-nonexistent/bin/python -m loaders rebuild"
