"""The workshop server serves only its own page (issue 12): Host and Origin checks, JSON-only
POSTs with a body limit, checked and clamped requests, one run at a time, a bounded cache,
its temporary folders removed, no traceback when a browser goes away."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from pathlib import Path

import pytest

from beredskap_sim.report import workshop
from beredskap_sim.report.workshop import WorkshopSession, make_server

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "baseline-week.yaml"


@pytest.fixture(scope="module")
def served():
    session = WorkshopSession(SCENARIO, replications=1)
    server = make_server(session, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield session, server.server_address[1]
    server.shutdown()
    server.server_close()
    session.close()


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """Send exactly these headers (no automatic Host) and return (status, parsed JSON or text)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for name, value in ({"Host": f"127.0.0.1:{port}"} | (headers or {})).items():
        if value is not None:
            connection.putheader(name, value)
    connection.endheaders(body)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    try:
        return response.status, json.loads(data)
    except ValueError:
        return response.status, data.decode()


def post(port: int, payload, **headers):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    base = {"Origin": f"http://127.0.0.1:{port}", "Content-Type": "application/json", "Content-Length": str(len(body))}
    return request(port, "POST", "/api/run", body, base | headers)


@pytest.mark.parametrize("host,status", [("127.0.0.1:{port}", 200), ("localhost:{port}", 200),
                                         ("evil.example:{port}", 403), ("127.0.0.1:1", 403), (None, 403)])
def test_only_requests_for_this_host_and_port_are_answered(served, host, status):
    _, port = served
    for path in ("/", "/api/options"):
        assert request(port, "GET", path, headers={"Host": host and host.format(port=port)})[0] == status


@pytest.mark.parametrize("headers,status,words", [
    ({"Origin": "http://evil.example"}, 403, "only be started from the workshop page"),
    ({"Origin": None}, 403, "only be started from the workshop page"),
    ({"Content-Type": "text/plain"}, 415, "application/json"),
    ({"Content-Type": "application/x-www-form-urlencoded"}, 415, "application/json"),
    ({"Content-Length": str(10**12)}, 413, "larger than 65536 bytes"),
    ({"Content-Length": "-5"}, 400, "Content-Length is not a whole number"),
    ({"Content-Length": None}, 411, "Content-Length"),
])
def test_posts_must_be_same_origin_json_of_bounded_size(served, headers, status, words):
    _, port = served
    code, answer = post(port, {"replications": 1}, **headers)
    assert code == status and words in answer["error"]


@pytest.mark.parametrize("payload,words", [
    (b"[1, 2]", "expected a JSON object, got list"),
    (b"{not json", "not JSON"),
    ({"replications": "many"}, "replications: got 'many' (expected a whole number)"),
    ({"disabled": ["no-such-disruption"]}, "unknown disruption 'no-such-disruption'"),
    ({"extra": [{"target": "nowhere", "start_days": 0, "duration_days": 1}]}, "unknown target 'nowhere'"),
    ({"overlays": ["/etc/passwd"]}, "unknown overlay '/etc/passwd'"),
    ({"surprise": 1}, "surprise: unknown field"),
])
def test_a_request_of_the_wrong_shape_is_refused_in_words(served, payload, words):
    _, port = served
    code, answer = post(port, payload)
    assert code == 400 and words in answer["error"]


def test_values_are_clamped_and_the_reply_gives_the_replications_run(served):
    session, port = served
    code, answer = post(port, {"replications": 10**9, "stock_days": 1e6})
    assert code == 200 and answer["replications"] == 20
    target = session.scenario.network.link_ids[0]
    normalised = session.normalise({"replications": -3, "stock_days": -1,
                                    "extra": [{"target": target, "start_days": -5, "duration_days": 1e9}]})
    horizon = session.scenario.horizon_h / 24
    assert normalised["replications"] == 1 and normalised["stock_days"] == 1.0
    assert normalised["extra"] == [{"target": target, "start_days": 0.0, "duration_days": horizon}]


def test_one_run_at_a_time_others_get_a_busy_answer(served):
    session, port = served
    assert session._lock.acquire()  # a run under way
    try:
        code, answer = post(port, {"replications": 2, "disabled": []})
    finally:
        session._lock.release()
    assert code == 503 and "another run is under way" in answer["error"]


def test_many_requests_at_once_are_all_answered(served):
    _, port = served
    statuses = []

    def ask():
        statuses.append(request(port, "GET", "/api/options")[0])

    threads = [threading.Thread(target=ask) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 30


def test_a_browser_that_goes_away_mid_run_leaves_no_traceback(served, capsys):
    session, port = served
    runs = session.runs
    body = json.dumps({"replications": 3}).encode()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall((f"POST /api/run HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
                      f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # reset on close
    deadline = time.monotonic() + 120
    while session.runs == runs and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)  # the reply is written to the closed socket
    assert session.runs == runs + 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err
    assert post(port, {"replications": 3})[0] == 200  # answered from the cache, server still up


def test_cache_is_bounded_and_temporary_folders_go(monkeypatch, tmp_path):
    monkeypatch.setattr(workshop, "CACHE_SIZE", 2)
    session = WorkshopSession(SCENARIO, replications=1)
    for days in (2, 3, 4):
        session.run({"stock_days": days} if session.scenario.spec.food else {"replications": days})
    assert len(session._cache) == 2
    assert [p for p in session.workdir.rglob("*") if p.is_file()] == []  # each run's folder is deleted
    session.close()
    assert not session.workdir.exists()


def test_a_broken_overlay_is_left_out_not_fatal(tmp_path):
    overlays = tmp_path / "overlays"
    overlays.mkdir()
    (overlays / "broken.yaml").write_text("name: x\nchanges:\n  - set: scenario\n    value: 5\n", encoding="utf-8")
    (overlays / "not-yaml.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    session = WorkshopSession(SCENARIO, overlays, replications=1)
    try:
        assert session.overlays == [] and len(session.skipped) == 2
        assert any("broken.yaml: " in note and "names a whole file" in note for note in session.skipped)
    finally:
        session.close()
