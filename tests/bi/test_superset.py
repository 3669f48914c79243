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
from importlib import util as importlib_util
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
        return self._send(request)

    def get(self, path: str) -> tuple[int, dict]:
        """A GET without a JSON content type (Superset answers 400 to one with an empty body)."""
        headers = {k: v for k, v in self._headers.items() if k != "Content-Type"}
        request = urllib.request.Request(self.base + path, headers=headers)
        return self._send(request)

    def upload(
        self, path: str, fields: dict[str, str], name: str, content: bytes
    ) -> tuple[int, dict]:
        """POST a multipart form: ``fields`` and one file (form field ``formData``)."""
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
            f"{value}\r\n".encode()
            for key, value in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="formData"; '
            f'filename="{name}"\r\nContent-Type: application/zip\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        headers = {**self._headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        request = urllib.request.Request(
            self.base + path, data=b"".join(parts), method="POST", headers=headers
        )
        return self._send(request)

    def _send(self, request: urllib.request.Request) -> tuple[int, dict]:
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
                "database_name": "budget_warehouse_sql_lab",
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
    original = tmp_path / "original.duckdb"
    shutil.copyfile(superset.warehouse, changed)
    shutil.copyfile(superset.warehouse, original)
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
    try:
        assert _totals(body) == expected
    finally:  # the dashboard tests read the printed totals again
        _publish(original, superset.warehouse, superset.python)


# ---------------------------------------------------------------------------------------------
# The dashboard of bi/dashboard/: imported, each chart's data checked, a screenshot taken
# ---------------------------------------------------------------------------------------------
SCREENSHOT = Path(
    os.environ.get("BUDGET_BI_SCREENSHOT") or ROOT / "target" / "bi" / "dashboard.png"
)
BUDGETS = (
    "from mart_budget_overview as o join dim_document as d using (document_id) "
    "where d.disclosure_kind = 'budget'"
)
LABEL = "o.city_name_en || ' ' || o.fiscal_year || ' · ' || o.department_name"


def _dashboard_module():
    spec = importlib_util.spec_from_file_location("bi_dashboard", ROOT / "bi" / "dashboard.py")
    module = importlib_util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def dashboard(superset: Superset) -> dict[str, int]:
    """Import bi/dashboard/ (pointed at the test's warehouse copy); {chart name: chart id}."""
    module = _dashboard_module()
    status, body = superset.api.upload(
        "/api/v1/dashboard/import/",
        {"overwrite": "true", "passwords": "{}"},
        "budget_dashboard.zip",
        module.bundle(superset.warehouse),
    )
    assert status == 200, f"import failed: {status} {body}\n{_tail(superset.log)}"
    status, body = superset.api.get(f"/api/v1/dashboard/{module.SLUG}/charts")
    assert status == 200, f"{status} {body}"
    return {chart["slice_name"]: chart["id"] for chart in body["result"]}


def _chart_rows(superset: Superset, chart_id: int) -> list[dict]:
    status, body = superset.api.get(f"/api/v1/chart/{chart_id}/data/")
    assert status == 200, f"chart {chart_id}: {status} {body}"
    (result,) = body["result"]
    assert not result.get("error"), result["error"]
    return result["data"]


def _warehouse_rows(superset: Superset, sql: str) -> list[tuple]:
    with duckdb.connect(str(superset.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def _exact(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


def test_the_dashboard_holds_the_five_charts(dashboard: dict[str, int]) -> None:
    assert sorted(dashboard) == sorted(
        [
            "Expenditure budget by city (万元)",
            "Basic vs project expenditure by city (万元)",
            "Personnel share of basic expenditure (人员经费 / 基本支出)",
            "三公经费 by category and city (万元)",
            "Failed checks by document and rule",
        ]
    )


def test_per_city_totals_chart(superset: Superset, dashboard: dict[str, int]) -> None:
    rows = _chart_rows(superset, dashboard["Expenditure budget by city (万元)"])
    got = {(r["city_name_en"], r["fiscal_year"]): _exact(r["expenditure_total"]) for r in rows}
    expected = _warehouse_rows(
        superset,
        f"select o.city_name_en, o.fiscal_year, sum(o.expenditure_total) {BUDGETS} "
        "and o.expenditure_total is not null group by all",
    )
    assert got == {(city, year): total for city, year, total in expected}
    # the five samples' bars are their printed totals (one budget per city and year each)
    english = dict(
        _warehouse_rows(superset, "select city_name_zh, city_name_en from dim_department")
    )
    years = dict(
        _warehouse_rows(
            superset,
            "select city_name_zh, fiscal_year from mart_budget_overview "
            f"where city_name_zh in ({SAMPLE_CITIES})",
        )
    )
    for city, total in EXPECTED_TOTALS:
        assert got[(english[city], years[city])] == total, city


def test_basic_vs_project_chart(superset: Superset, dashboard: dict[str, int]) -> None:
    rows = _chart_rows(superset, dashboard["Basic vs project expenditure by city (万元)"])
    got = {
        r["city_name_en"]: (_exact(r["expenditure_basic"]), _exact(r["expenditure_project"]))
        for r in rows
    }
    expected = _warehouse_rows(
        superset,
        f"select o.city_name_en, sum(o.expenditure_basic), sum(o.expenditure_project) {BUDGETS} "
        "and o.expenditure_total is not null group by all",
    )
    assert got == {city: (basic, project) for city, basic, project in expected}
    assert got["Anyang"] == (Decimal("30902.760000"), Decimal("127.000000"))


def test_personnel_share_chart(superset: Superset, dashboard: dict[str, int]) -> None:
    rows = _chart_rows(
        superset, dashboard["Personnel share of basic expenditure (人员经费 / 基本支出)"]
    )
    got = {r["document_label"]: r["personnel_share"] for r in rows}
    expected = _warehouse_rows(
        superset,
        f"select {LABEL}, o.expenditure_personnel, o.expenditure_basic {BUDGETS} "
        "and o.expenditure_total is not null",
    )
    assert set(got) == {label for label, _, _ in expected}
    for label, personnel, basic in expected:
        if personnel is None or not basic:
            assert got[label] is None, label
        else:
            assert abs(got[label] - float(personnel / basic)) < 1e-9, label
    assert (
        0
        < min(v for v in got.values() if v is not None)
        <= max(got.values(), key=lambda v: v or 0)
        <= 1
    )


def test_three_public_costs_chart(superset: Superset, dashboard: dict[str, int]) -> None:
    rows = _chart_rows(superset, dashboard["三公经费 by category and city (万元)"])
    got = {(r["category"], r["city_name_en"]): _exact(r["amount"]) for r in rows}
    expected = _warehouse_rows(
        superset,
        "select t.category, o.city_name_en, sum(t.amount) from fct_three_public_costs as t "
        "join mart_budget_overview as o using (document_id) join dim_document as d "
        "using (document_id) where d.disclosure_kind = 'budget' group by all",
    )
    assert got == {(category, city): amount for category, city, amount in expected}
    assert {category for category, _ in got} == {
        "outbound_travel",
        "official_reception",
        "vehicle_purchase",
        "vehicle_operation",
    }


def test_findings_chart(superset: Superset, dashboard: dict[str, int]) -> None:
    rows = _chart_rows(superset, dashboard["Failed checks by document and rule"])
    got = {(r["document_label"], r["rule_id"]): r["findings"] for r in rows}
    ((failed,),) = _warehouse_rows(
        superset, "select count(*) from fct_dq_findings where status = 'fail'"
    )
    assert failed > 0 and sum(got.values()) == failed  # every failed check, each once
    expected = _warehouse_rows(
        superset,
        f"select {LABEL} "
        "|| case when d.disclosure_kind = 'final_accounts' then ' (决算)' else '' end, "
        "f.rule_id, count(*) from fct_dq_findings as f join mart_budget_overview as o "
        "using (document_id) join dim_document as d using (document_id) "
        "where f.status = 'fail' group by all",
    )
    assert got == {(label, rule): n for label, rule, n in expected}


def test_screenshot_of_the_dashboard(superset: Superset, dashboard: dict[str, int]) -> None:
    for binary in ("/usr/bin/chromium", "/usr/bin/chromedriver"):
        if not Path(binary).exists():
            pytest.fail(
                f"{binary} is missing: apt-get install chromium chromium-driver fonts-noto-cjk "
                "(.ci/run does)",
                pytrace=False,
            )
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [
            str(superset.python),
            str(ROOT / "bi" / "screenshot.py"),
            "--base",
            superset.api.base,
            "--user",
            ADMIN["username"],
            "--out",
            str(SCREENSHOT),
        ],
        env={**os.environ, "BUDGET_SUPERSET_PASSWORD": ADMIN["password"]},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["charts"] == len(dashboard) and report["errors"] == 0, report
    assert report["width"] >= 1200 and report["height"] >= 1000, report
    assert report["colours"] > 200, report  # drawn charts, not a blank or error page
