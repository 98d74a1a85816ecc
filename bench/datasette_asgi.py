"""Datasette as an ASGI app, for uvicorn to run with several worker processes.

`datasette serve` runs one process; this is the same app (`Datasette(...).app()`, as the
command builds it) so uvicorn's `--workers 2` can match gunicorn's two workers. Runs in
bench/.venv-datasette, not the project's environment. The database file is BENCH_SQLITE.
"""

import os

from datasette.app import Datasette

app = Datasette(immutables=[os.environ["BENCH_SQLITE"]]).app()
