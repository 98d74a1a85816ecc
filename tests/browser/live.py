"""Live servers for the browser tests."""

from django.core.servers.basehttp import WSGIServer
from django.db import connection
from pytest_django.live_server_helper import LiveServer


class OneRequestAtATime(WSGIServer):
    """A live server that answers one request at a time. With SQLite, the server's threads
    share the test's one in-memory connection, which is not safe to use from two at once:
    with a page and its frames (embeds, a timeline) asked for together, a request now and then
    hung in it and the run never ended."""

    def __init__(self, *args, connections_override=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)  # the server thread applies the override itself


def unstarted_live_server(host: str) -> LiveServer:
    """pytest-django's live server, not yet started, answering one request at a time on SQLite
    (PostgreSQL keeps the threaded server)."""
    server = LiveServer(host, start=False)
    if connection.vendor == "sqlite":
        server.thread.server_class = OneRequestAtATime
    return server
