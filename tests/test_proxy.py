"""nginx (deploy/nginx.conf, started by scripts/run-proxy) in front of the app: the shared
cache follows the app's headers. Skipped where nginx is missing, unless REQUIRE_NGINX is set
(CI sets it)."""

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings

from policies.models import Policy

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def proxy(live_server, tmp_path):
    if not shutil.which("nginx"):
        message = "nginx not found; install Debian's nginx package."
        if os.environ.get("REQUIRE_NGINX"):
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    upstream = urlsplit(live_server.url)
    env = {
        **os.environ,
        "APP_ADDRESS": f"127.0.0.1:{upstream.port}",
        "PROXY_LISTEN": f"127.0.0.1:{port}",
        "NGINX_RUN": str(tmp_path),
        "NGINX_WORKERS": "1",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    script = Path(django_settings.BASE_DIR) / "scripts" / "run-proxy"
    process = subprocess.Popen([str(script)], env=env, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_a_repeat_is_a_hit_and_only_embeds_may_be_framed(proxy, chicago):
    for path in ("/methodology/", "/jurisdictions/il-chicago/", "/embed/jurisdictions/il-chicago/"):
        status, first, _ = get(proxy + path)
        assert status == 200 and first["X-Cache-Status"] in ("MISS", "EXPIRED"), path
        _, again, _ = get(proxy + path)
        assert again["X-Cache-Status"] == "HIT", path
        if path.startswith("/embed/"):
            assert "X-Frame-Options" not in again
            assert "frame-ancestors *" in again["Content-Security-Policy"]
        else:
            assert again["X-Frame-Options"] == "DENY"
            assert "frame-ancestors 'none'" in again["Content-Security-Policy"]


def test_staff_answers_are_never_stored_or_served_from_the_cache(proxy, chicago):
    get(proxy + "/jurisdictions/il-chicago/")
    _, staff, _ = get(proxy + "/jurisdictions/il-chicago/", {"Cookie": "sessionid=staff"})
    assert staff["X-Cache-Status"] == "BYPASS"
    for _ in range(2):
        _, login, _ = get(proxy + "/admin/login/")
        assert login["X-Cache-Status"] != "HIT"


def test_a_staff_edit_reaches_readers_within_the_pages_max_age(proxy, chicago, settings):
    settings.PAGE_MAX_AGE = 1
    page = proxy + "/jurisdictions/il-chicago/"
    get(page)
    _, hit, body = get(page)
    assert hit["X-Cache-Status"] == "HIT" and "Welcoming City Ordinance" in body
    Policy.objects.filter(title="Welcoming City Ordinance").update(title="Renamed ordinance")
    for policy in Policy.objects.all():
        policy.save()  # through the ORM's signals, as the admin saves
    time.sleep(2.2)  # the page's max-age, counted by nginx in whole seconds
    # The first reader after it may get the copy from before while nginx refreshes it in the
    # background (proxy_cache_use_stale updating); the next one gets the edit.
    seen = []
    for _ in range(20):
        _, fresh, body = get(page)
        seen.append(fresh["X-Cache-Status"])
        if "Renamed ordinance" in body:
            break
        time.sleep(0.1)
    assert "Renamed ordinance" in body, seen
    assert len(seen) <= 3, seen


def test_compressed_and_plain_copies_never_share_a_strong_etag(proxy, chicago):
    """#17 bug 3: gzip and plain embeds went out under one strong ETag (compression was
    wrapped twice in the app); nginx now compresses, and marks the compressed copy's weak."""
    url = proxy + "/embed/jurisdictions/il-chicago/chart/"
    _, plain, _ = get(url)
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        compressed = response.headers
    assert "Content-Encoding" not in plain and plain["ETag"].startswith('"')
    assert compressed["Content-Encoding"] == "gzip"
    assert compressed["ETag"] == "W/" + plain["ETag"]
    assert "Accept-Encoding" in compressed["Vary"]
    status, _, _ = get(url, {"If-None-Match": plain["ETag"]})
    assert status == 304


def test_a_shared_link_with_tracking_parameters_reaches_the_one_cached_copy(proxy, chicago):
    page = proxy + "/jurisdictions/il-chicago/"
    get(page)
    request = urllib.request.Request(page + "?utm_source=newsletter&fbclid=abc")
    opener = urllib.request.build_opener(NoRedirect)
    for _ in range(2):
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(request, timeout=10)
        assert redirect.value.code == 301
        assert redirect.value.headers["Location"] == "/jurisdictions/il-chicago/"
        assert redirect.value.headers["X-Cache-Status"] != "HIT"  # never stored
    _, followed, _ = get(page)
    assert followed["X-Cache-Status"] == "HIT"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.parametrize("refusal", ["gzip;q=0", "identity", "gzip; q=0.0"])
def test_a_client_refusing_gzip_never_gets_it_even_after_others_asked(proxy, chicago, refusal):
    url = proxy + "/jurisdictions/il-chicago/"
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    urllib.request.urlopen(request, timeout=10).close()  # a gzip copy is now stored
    _, refused, body = get(url, {"Accept-Encoding": refusal})
    assert "Content-Encoding" not in refused and "Chicago" in body


def test_a_20_mb_upload_is_refused_at_once_with_the_limit_stated(proxy):
    address = urlsplit(proxy)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(
            b"POST /admin/arrivals/arrivalcount/import/ HTTP/1.1\r\n"
            b"Host: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
            + f"Content-Length: {20 * 1024 * 1024}\r\nConnection: close\r\n\r\n".encode()
        )  # and not one byte of the body: the answer comes before it is sent
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += connection.recv(65536)
        head, _, body = answer.decode().partition("\r\n\r\n")
        length = int(head.lower().split("content-length:")[1].split()[0])
        while len(body.encode()) < length:
            body += connection.recv(65536).decode()
    assert head.startswith("HTTP/1.1 413")
    assert "Files of at most 5 MB can be imported" in body
