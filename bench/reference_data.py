"""Datasette and its data: the yardstick for the comparison table.

Datasette is a general tool for publishing a table with filters and facets: the app's
filtered table should be well ahead of it (issue #17: at least 3 times its req/s) since the
app knows its one table in advance. It is installed from PyPI into bench/.venv-datasette
(gitignored), apart from the project's locked dependencies, and serves an SQLite copy of the
jurisdictions the comparison table shows, exported from the bench database.
"""

import csv
import io
import sqlite3
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
VENV = BENCH / ".venv-datasette"
UVICORN = VENV / "bin" / "uvicorn"
SQLITE = BENCH / ".run" / "jurisdictions.db"
TABLE = "jurisdiction"

# Each jurisdiction with the columns the comparison table shows (its precomputed summary).
EXPORT = """
COPY (
    SELECT j.id, j.name, j.kind, j.state, j.slug, j.geoid, j.population, j.population_year,
           s.stance, s.sanctuary_year, s.sanctuary_status_then, s.detainer_rule_then,
           s.agreement_total, s.agreement_models, s.designation_total,
           s.latest_figure_value, s.source_total
    FROM policies_jurisdiction j
    LEFT JOIN policies_jurisdictionsummary s ON s.jurisdiction_id = j.id
    ORDER BY j.id
) TO STDOUT WITH (FORMAT csv, HEADER)
"""
INTEGER_COLUMNS = {
    "id",
    "population",
    "population_year",
    "sanctuary_year",
    "agreement_total",
    "designation_total",
    "latest_figure_value",
    "source_total",
}


def install_datasette(python: Path) -> Path:
    """Creates bench/.venv-datasette with the newest Datasette on PyPI, once. Returns the path
    of its uvicorn (a Datasette dependency)."""
    if not UVICORN.exists():
        print("Installing Datasette into bench/.venv-datasette")
        for command in (
            [str(python), "-m", "venv", str(VENV)],
            [str(VENV / "bin" / "pip"), "install", "--quiet", "datasette"],
        ):
            finished = subprocess.run(command, capture_output=True, text=True)
            if finished.returncode:
                sys.exit(f"{' '.join(command)} failed:\n{finished.stdout}\n{finished.stderr}")
    return UVICORN


def datasette_version() -> str:
    """As "Datasette 0.65.5" (the command prints "datasette, version 0.65.5")."""
    command = [str(VENV / "bin" / "datasette"), "--version"]
    printed = subprocess.run(command, capture_output=True, text=True).stdout
    return "Datasette " + printed.split()[-1]


def _definition(column: str) -> str:
    if column == "id":
        return "id INTEGER PRIMARY KEY"
    return f"{column} {'INTEGER' if column in INTEGER_COLUMNS else 'TEXT'}"


def _typed(column: str, value: str) -> int | str | None:
    if value == "":
        return None
    return int(value) if column in INTEGER_COLUMNS else value


def export_jurisdictions(database: str) -> Path:
    """Copies the jurisdictions and their table columns from PostgreSQL (psql's COPY to CSV)
    into a new SQLite file, indexed on the two faceted columns as a Datasette publisher would.
    Returns the file's path."""
    command = ["psql", "-X", "-h", "127.0.0.1", "-U", "root", "-d", database, "-qc", EXPORT]
    rows = list(csv.reader(io.StringIO(subprocess.check_output(command, text=True))))
    columns, rows = rows[0], rows[1:]
    SQLITE.parent.mkdir(exist_ok=True)
    SQLITE.unlink(missing_ok=True)
    definitions = ", ".join(_definition(column) for column in columns)
    with sqlite3.connect(SQLITE) as db:
        db.execute(f"CREATE TABLE {TABLE} ({definitions})")
        db.executemany(
            f"INSERT INTO {TABLE} VALUES ({', '.join('?' * len(columns))})",
            ([_typed(c, v) for c, v in zip(columns, row, strict=True)] for row in rows),
        )
        db.execute(f"CREATE INDEX {TABLE}_state ON {TABLE} (state)")
        db.execute(f"CREATE INDEX {TABLE}_kind ON {TABLE} (kind)")
    db.close()
    print(f"Exported {len(rows)} jurisdictions to {SQLITE.relative_to(BENCH.parent)}")
    return SQLITE
