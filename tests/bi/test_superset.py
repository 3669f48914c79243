"""Apache Superset over the warehouse, for real: a BI tool reads the marts read-only.

Run by ``make test-bi`` (CI too), with the project's .venv; Superset lives in its own virtualenv
(``make bi-venv`` -> .venv-superset, from bi/requirements-superset.txt). The test copies the
warehouse to a temp folder, sets up Superset there (SQLite metadata, an admin user), starts
``superset run`` on 127.0.0.1 at a free port, registers the copy as a read-only DuckDB database
through the REST API and runs SQL Lab queries over the marts. The server is always stopped by
process group id, within a time bound, when the module's tests are done.

``make test`` does not collect tests/bi (pyproject's pytest ``addopts`` ignores it: the main venv
has no Superset); ``make test-bi`` runs it with the addopts overridden, and a missing
.venv-superset is then a failure.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CONFIG = ROOT / "bi" / "superset_config.py"

# Bounds on everything that waits.
SETUP_TIMEOUT_S = 300  # each of `superset db upgrade`, `fab create-admin`, `init`
START_TIMEOUT_S = 180  # from `superset run` to /health answering
HTTP_TIMEOUT_S = 60  # one API call
STOP_TIMEOUT_S = 20  # SIGTERM to exit, before SIGKILL

ADMIN = {"username": "admin", "password": "admin-test-only"}

# expenditure_total (万元) of each sample document, as printed in it.
EXPECTED_TOTALS = [
    ("乌鲁木齐市", Decimal("4461.66")),
    ("厦门市", Decimal("2759.64")),
    ("安阳市", Decimal("31029.76")),
    ("济源市", Decimal("503.70")),
    ("长治市", Decimal("1802.52")),
]
# the five text samples' cities (the PDFs of data/documents have their own warehouse test)
SAMPLE_CITIES = ", ".join(f"'{city}'" for city, _ in EXPECTED_TOTALS)
TOTALS_SQL = (
    "select city_name_zh, expenditure_total from mart_budget_overview "
    f"where city_name_zh in ({SAMPLE_CITIES}) order by city_name_zh"
)
MART_PREFIXES = ("mart_", "fct_", "dim_")


def _superset_venv() -> Path:
    venv = Path(os.environ.get("BUDGET_SUPERSET_VENV", ".venv-superset"))
    return venv if venv.is_absolute() else ROOT / venv


def _warehouse() -> Path:
    path = Path(os.environ.get("BUDGET_WAREHOUSE_PATH", "warehouse/budget.duckdb"))
    return path if path.is_absolute() else ROOT / path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _superset_can_open(python: Path, db_file: Path) -> tuple[bool, str]:
    """Whether the Superset venv's duckdb opens ``db_file`` (its file format may be newer)."""
    probe = "import duckdb, sys; duckdb.connect(sys.argv[1], read_only=True).close()"
    done = subprocess.run(
        [str(python), "-c", probe, str(db_file)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode == 0, done.stderr.strip()[-500:]


def _export_v14(source: Path, target: Path) -> None:
    """Copy the marts into a DuckDB file that DuckDB 1.4 and later can open."""
    target.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        # Attached under its own name (the file stem), so views that name their catalog resolve.
        con.execute(f"ATTACH '{source}' (READ_ONLY)")
        con.execute(f"ATTACH '{target}' AS compat (STORAGE_VERSION 'v1.4.0')")
        catalog = source.stem
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = ?",
            [catalog],
        ).fetchall()
        for schema, table in tables:
            if table.startswith(MART_PREFIXES):
                con.execute(
                    f'create table compat.main."{table}" as '
                    f'select * from "{catalog}"."{schema}"."{table}"'
                )
    finally:
        con.close()


def _publish(source: Path, target: Path, python: Path) -> str:
    """Put a copy of ``source`` at ``target`` that Superset can open; say which kind it is."""
    staging = target.parent / "staging" / target.name
    staging.parent.mkdir(exist_ok=True)
    force_export = os.environ.get("BUDGET_BI_FORCE_V14_EXPORT") == "1"
    shutil.copyfile(source, staging)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, staging.with_name(staging.name + ".wal"))
    kind = "copy"
    readable, why = _superset_can_open(python, staging)
    if force_export or not readable:
        if not readable:
            warnings.warn(
                f"Superset's duckdb cannot open {source} ({why}); testing a v1.4 export of the "
                "marts instead. Keep duckdb in bi/requirements-superset.txt equal to "
                "pyproject.toml's.",
                stacklevel=2,
            )
        _export_v14(source, staging.with_name("export.duckdb"))
        staging.with_name(staging.name + ".wal").unlink(missing_ok=True)
        os.replace(staging.with_name("export.duckdb"), staging)
        kind = "v1.4 export"
    # Swapped in whole, as the project's rebuild does: a reader never sees a half-written file.
    os.replace(staging, target)
    return kind


class Api:
    """A logged-in client of Superset's REST API (stdlib only: the project venv has no requests)."""

    def __init__(self, base: str) -> None:
        """Log in as the admin and fetch a CSRF token bound to this client's session cookie."""
        self.base = base
        jar = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self._headers = {"Content-Type": "application/json", "Referer": base + "/"}
        status, body = self.call(
            "POST", "/api/v1/security/login", {**ADMIN, "provider": "db", "refresh": False}
        )
        assert status == 200, f"login failed: {status} {body}"
        self._headers["Authorization"] = f"Bearer {body['access_token']}"
        status, body = self.call("GET", "/api/v1/security/csrf_token/")
        assert status == 200, f"csrf_token failed: {status} {body}"
        self._headers["X-CSRFToken"] = body["result"]

    def call(self, method: str, path: str, payload: dict | None = None) -> tuple[int, dict]:
        """Send one request; return the status and the decoded JSON body."""
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers=self._headers
        )
        try:
            with self._opener.open(request, timeout=HTTP_TIMEOUT_S) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        try:
            return status, json.loads(raw or b"null")
        except ValueError:
            return status, {"raw": raw.decode(errors="replace")[:2000]}

    def sql(self, database_id: int, sql: str) -> tuple[int, dict]:
        """Run a statement through SQL Lab, synchronously."""
        return self.call(
            "POST",
            "/api/v1/sqllab/execute/",
            {
                "database_id": database_id,
                "sql": sql,
                "client_id": uuid.uuid4().hex[:10],
                "runAsync": False,
                "tab": "test_superset",
                "schema": None,
            },
        )


@dataclass
class Superset:
    """A running Superset with the warehouse registered."""

    api: Api
    database_id: int
    warehouse: Path  # the file Superset reads
    source_kind: str  # "copy" or "v1.4 export"
    python: Path  # the Superset venv's python
    log: Path


def _run_setup(cmd: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("a") as out:
        out.write(f"$ {' '.join(cmd)}\n")
        out.flush()
        done = subprocess.run(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=SETUP_TIMEOUT_S
        )
    assert done.returncode == 0, f"{cmd[1:3]} exited {done.returncode}:\n{_tail(log)}"


def _stop(process: subprocess.Popen) -> None:
    """Stop the server's whole process group (its id is the server's pid), bounded in time."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_S)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def superset(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Superset]:
    venv = _superset_venv()
    superset_bin, python = venv / "bin" / "superset", venv / "bin" / "python"
    if not superset_bin.exists():
        pytest.fail(
            f"{superset_bin} is missing: the Superset virtualenv is not installed. "
            "Run `make test-bi` (it runs `make bi-venv` first) or `make bi-venv`.",
            pytrace=False,
        )
    source = _warehouse()
    if not source.exists():
        pytest.fail(
            f"no warehouse at {source}: run `make build` (`make test-bi` does when it is missing)",
            pytrace=False,
        )

    home = tmp_path_factory.mktemp("superset")
    data = home / "data"
    data.mkdir()
    # Same file name as the source: dbt's views name their catalog, which is the file stem.
    warehouse = data / source.name
    kind = _publish(source, warehouse, python)
    log = home / "superset.log"
    env = {
        **os.environ,
        "SUPERSET_HOME": str(home),
        "SUPERSET_CONFIG_PATH": str(CONFIG),
        "SUPERSET_SECRET_KEY": "budget-warehouse-test-" + uuid.uuid4().hex,
        "FLASK_DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("FLASK_APP", None)
    _run_setup([str(superset_bin), "db", "upgrade"], env, log)
    _run_setup(
        [
            str(superset_bin),
            "fab",
            "create-admin",
            "--username",
            ADMIN["username"],
            "--password",
            ADMIN["password"],
            "--firstname",
            "Test",
            "--lastname",
            "Admin",
            "--email",
            "admin@localhost.invalid",
        ],
        env,
        log,
    )
    _run_setup([str(superset_bin), "init"], env, log)

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [str(superset_bin), "run", "-h", "127.0.0.1", "-p", str(port), "--no-reload"]
    cmd.append("--with-threads")
    with log.open("a") as out:
        out.write(f"$ {' '.join(cmd)}\n")
        out.flush()
        # Its own session, so its process group id is its pid: _stop ends it and any children.
        server = subprocess.Popen(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert server.poll() is None, f"superset run exited {server.returncode}:\n{_tail(log)}"
            try:
                with urllib.request.urlopen(base + "/health", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, (
                f"/health did not answer within {START_TIMEOUT_S} s:\n{_tail(log)}"
            )
            time.sleep(1)

        api = Api(base)
        status, body = api.call(
            "POST",
            "/api/v1/database/",
            {
                "database_name": "budget_warehouse",
                # duckdb-engine passes URL query parameters to duckdb.connect(config=...).
                "sqlalchemy_uri": f"duckdb:///{warehouse}?access_mode=read_only",
                "expose_in_sqllab": True,
                # Superset's own DML guard off, so the read-only refusal seen is DuckDB's.
                "allow_dml": True,
            },
        )
        assert status == 201, f"registering the warehouse failed: {status} {body}"
        yield Superset(api, body["id"], warehouse, kind, python, log)
    finally:
        _stop(server)


def _totals(body: dict) -> list[tuple[str, Decimal]]:
    return [
        (row["city_name_zh"], Decimal(str(row["expenditure_total"])).quantize(Decimal("0.01")))
        for row in body["data"]
    ]


def test_sql_lab_reads_the_mart(superset: Superset) -> None:
    status, body = superset.api.sql(superset.database_id, TOTALS_SQL)
    assert status == 200, f"{status} {body}\n{_tail(superset.log)}"
    assert body["status"] == "success"
    assert [c["column_name"] for c in body["columns"]] == ["city_name_zh", "expenditure_total"]
    assert _totals(body) == EXPECTED_TOTALS, f"read from a {superset.source_kind}"


def test_sql_lab_joins_marts(superset: Superset) -> None:
    sql = (
        "select o.city_name_zh, count(*) as n from fct_expenditure_by_function f "
        "join mart_budget_overview o using (document_id) "
        f"where o.city_name_zh in ({SAMPLE_CITIES}) group by 1 order by 1"
    )
    status, body = superset.api.sql(superset.database_id, sql)
    assert status == 200, f"{status} {body}"
    assert [row["city_name_zh"] for row in body["data"]] == [c for c, _ in EXPECTED_TOTALS]
    assert all(row["n"] > 0 for row in body["data"])


def test_warehouse_is_read_only(superset: Superset) -> None:
    status, body = superset.api.sql(superset.database_id, "create table bi_probe(a int)")
    assert status >= 400, f"a write went through: {status} {body}"
    message = json.dumps(body, ensure_ascii=False)
    assert "read-only" in message, message


def test_new_query_sees_a_swapped_in_rebuild(superset: Superset, tmp_path: Path) -> None:
    # A "rebuild": a changed copy of the warehouse, swapped in with os.replace while Superset
    # runs. Superset opens a new DuckDB connection per query (NullPool), so the next query
    # reads the new file without a restart.
    changed = tmp_path / superset.warehouse.name
    shutil.copyfile(superset.warehouse, changed)
    con = duckdb.connect(str(changed))
    try:
        con.execute(
            "update mart_budget_overview set expenditure_total = 503.71 "
            "where city_name_zh = '济源市'"
        )
    finally:
        con.close()
    _publish(changed, superset.warehouse, superset.python)

    status, body = superset.api.sql(superset.database_id, TOTALS_SQL)
    assert status == 200, f"{status} {body}"
    expected = [(c, Decimal("503.71") if c == "济源市" else v) for c, v in EXPECTED_TOTALS]
    assert _totals(body) == expected
