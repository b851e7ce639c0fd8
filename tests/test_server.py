"""``cssp serve`` end to end: a real server process on loopback, a real HTTP client.

Each test module's server is started by the fixture below with ``python -m
cssp serve`` on a free port and stopped after; the JSON it returns is compared
with what the ``cssp`` command prints for the same input.
"""

from __future__ import annotations

import concurrent.futures
import html
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cssp
from cssp.io import unstructure
from cssp.report import render_report

pytest.importorskip("litestar", reason="the service needs the server extra: cssp[server]")
pytest.importorskip("uvicorn", reason="the service needs the server extra: cssp[server]")
httpx = pytest.importorskip("httpx", reason="the tests need a real HTTP client (httpx)")

ROOT: Final = Path(__file__).resolve().parents[1]
SAMPLE: Final = ROOT / "src" / "cssp" / "data" / "sample_communities.json"
GUANGDONG: Final = ROOT / "plugins" / "cssp-guangdong" / "cssp_guangdong" / "profile.toml"
Check = Callable[[str, object], None]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """A ``cssp serve`` process and a client of it."""

    def __init__(self, *options: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "cssp", "serve", "--port", str(self.port), *options]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.client = httpx.Client(base_url=self.url, timeout=120)
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.client.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                _out, err = self.process.communicate(timeout=10)
                pytest.fail(f"cssp serve did not start: {err}")
            time.sleep(0.1)

    def stop(self) -> str:
        self.client.close()
        self.process.send_signal(signal.SIGINT)
        try:
            _, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server("--max-body-size", "4M", "--max-communities", "100")
    yield running
    err = running.stop()
    assert "Traceback" not in err, err


def _cli(*args: str) -> bytes:
    """What the ``cssp`` command prints (national plan alone, as the tests' environment)."""
    environment = {**os.environ, "CSSP_DISABLE_PLUGIN_AUTOLOAD": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "cssp", *args], capture_output=True, check=True, env=environment
    )
    if args[0] == "evaluate":  # the command locates a warning in its file, the service in the body
        return done.stdout.replace(f'"{args[1]}: '.encode(), b'"')
    return done.stdout


def _sample_records() -> list[dict[str, Any]]:
    document = json.loads(SAMPLE.read_text("utf-8"))
    records: list[dict[str, Any]] = (
        document["communities"] if isinstance(document, dict) else document
    )
    return records


# --- the same documents as the command line ------------------------------------------


def test_evaluate_returns_the_commands_json_byte_for_byte(
    server: Server, check_schema: Check
) -> None:
    answer = server.client.post("/v1/evaluate", json={"communities": _sample_records()})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.content == _cli("evaluate", str(SAMPLE), "--format", "json")
    check_schema("report", answer.json())


@pytest.mark.parametrize(
    ("body", "flags"),
    [
        ({"by": "province", "year": 2023}, ["--by", "province", "--year", "2023"]),
        ({"plan": "fyp13", "by": "nation"}, ["--plan", "fyp13", "--by", "nation"]),
        ({"by": "township", "no_communities": True}, ["--by", "township", "--no-communities"]),
        ({"no_members": True}, ["--no-members"]),
    ],
)
def test_evaluate_follows_the_commands_options(
    server: Server, body: dict[str, Any], flags: list[str], check_schema: Check
) -> None:
    answer = server.client.post("/v1/evaluate", json={**body, "communities": _sample_records()})
    assert answer.status_code == 200, answer.text
    assert answer.content == _cli("evaluate", str(SAMPLE), "--format", "json", *flags)
    check_schema("report", answer.json())


@pytest.mark.parametrize("code", ["", "44", "440106", "330106001001"])
def test_targets_are_the_commands(server: Server, code: str, check_schema: Check) -> None:
    answer = server.client.get("/v1/targets", params={"plan": "fyp14", "code": code})
    assert answer.status_code == 200
    assert answer.content == _cli("targets", "--code", code, "--format", "json")
    check_schema("targets", answer.json())


def test_programmes_plans_and_plugins(server: Server, check_schema: Check) -> None:
    answer = server.client.get("/v1/programmes", params={"plan": "fyp13"})
    assert answer.content == _cli("programmes", "--plan", "fyp13", "--format", "json")
    check_schema("programmes", answer.json())
    plans = server.client.get("/v1/plans").json()
    check_schema("plans", plans)
    assert [p["id"] for p in plans["plans"]] == list(cssp.PLAN_IDS)
    plugins = server.client.get("/v1/plugins").json()
    check_schema("plugins", plugins)
    assert plugins["plugins"] == []  # the tests' environment switches discovery off


def test_health_docs_openapi_and_schemas(server: Server) -> None:
    assert server.client.get("/healthz").json() == {"status": "ok", "version": cssp.__version__}
    docs = server.client.get("/docs")
    assert docs.status_code == 200
    assert docs.headers["content-type"].startswith("text/html")
    assert "/v1/evaluate" in docs.text
    # works offline: no script, style or image from anywhere else
    assert not re.search(r'(src|href)="(https?:)?//', docs.text)
    example = html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", docs.text, re.S)[1])  # type: ignore[index]
    assert server.client.post("/v1/evaluate", content=example.encode()).status_code == 200
    swagger = server.client.get("/docs/swagger")
    assert swagger.status_code == 200
    assert "SwaggerUIBundle" in swagger.text
    assert "/v1/evaluate" in swagger.text
    openapi = server.client.get("/openapi.json").json()
    assert openapi["openapi"].startswith("3.1")
    evaluate = openapi["paths"]["/v1/evaluate"]["post"]
    assert evaluate["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/cssp_request"
    }
    assert "cssp_report_finding" in openapi["components"]["schemas"]
    assert server.client.get("/v1/schemas/report").json()["$id"] == "urn:cssp:schema:report"
    missing = server.client.get("/v1/schemas/nope")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


# --- bad input: a problem document, never a 500 --------------------------------------


def _problem(answer: Any, status: int, check_schema: Check) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    document: dict[str, Any] = answer.json()
    check_schema("problem", document)
    assert document["status"] == status
    return document


def test_a_body_that_is_not_json_is_a_400(server: Server, check_schema: Check) -> None:
    answer = server.client.post("/v1/evaluate", content=b'{"communities": [', headers={})
    problem = _problem(answer, 400, check_schema)
    assert "not valid JSON" in problem["detail"]
    assert "line 1" in problem["detail"]


def test_every_bad_value_is_located(server: Server, check_schema: Check) -> None:
    body = {
        "plan": "fyp15",
        "by": "street",
        "year": "2025",
        "colour": "red",
        "communities": [
            {"code": "440106001001", "households": 100},
            {"code": "440106001002", "households": -3},
            {
                "code": "440106001003",
                "facilities": [{"kind": "comprehensive", "floor_area": "3 kg"}],
            },
            {"code": "12"},
        ],
    }
    problem = _problem(server.client.post("/v1/evaluate", json=body), 422, check_schema)
    located = {error["pointer"]: error["detail"] for error in problem["errors"]}
    assert set(located) >= {
        "#/plan",
        "#/by",
        "#/year",
        "#/colour",
        "#/communities/1/households",
        "#/communities/2/facilities/0/floor_area",
        "#/communities/3/code",
    }
    assert "'3 kg' is a mass" in located["#/communities/2/facilities/0/floor_area"]
    assert "-3 is negative" in located["#/communities/1/households"]


def test_communities_alone_wrong_are_422_with_paths(server: Server, check_schema: Check) -> None:
    body = {"communities": [{"code": "440106001001"}, {"code": "440106001001"}]}
    problem = _problem(server.client.post("/v1/evaluate", json=body), 422, check_schema)
    assert "twice" in json.dumps(problem, ensure_ascii=False)
    problem = _problem(server.client.post("/v1/evaluate", json=[1, 2]), 422, check_schema)
    assert "communities" in problem["detail"]


def test_a_code_the_division_list_lacks_is_a_warning_located_in_the_body(server: Server) -> None:
    body = {"communities": [{"code": "330106002001"}, {"code": "330106001001"}]}
    answer = server.client.post("/v1/evaluate", json=body)
    assert answer.status_code == 200
    (warning,) = answer.json()["input"]["warnings"]
    assert warning["where"] == "communities[1].code"
    assert "township 330106001 is not in the division list" in warning["message"]


def test_bad_query_parameters_are_named(server: Server, check_schema: Check) -> None:
    problem = _problem(
        server.client.get("/v1/targets", params={"code": "4401x"}), 422, check_schema
    )
    assert problem["errors"] == [{"parameter": "code", "detail": problem["detail"]}]
    problem = _problem(server.client.get("/v1/targets", params={"cod": "44"}), 422, check_schema)
    assert problem["errors"][0]["parameter"] == "cod"
    _problem(server.client.get("/v1/programmes", params={"plan": "x"}), 422, check_schema)


def test_unknown_paths_and_methods_are_problems(server: Server, check_schema: Check) -> None:
    _problem(server.client.get("/v2/evaluate"), 404, check_schema)
    _problem(server.client.get("/v1/evaluate"), 405, check_schema)


def test_an_oversized_body_is_a_413(server: Server, check_schema: Check) -> None:
    filler = "x" * (5 * 2**20)
    answer = server.client.post(
        "/v1/evaluate", content=json.dumps({"communities": [], "pad": filler}).encode()
    )
    problem = _problem(answer, 413, check_schema)
    assert "--max-body-size" in problem["detail"]
    # the service still answers afterwards
    assert server.client.get("/healthz").status_code == 200


def test_too_many_communities_is_a_413(server: Server, check_schema: Check) -> None:
    records = [{"code": f"440106001{index:03d}"} for index in range(1, 102)]
    problem = _problem(
        server.client.post("/v1/evaluate", json={"communities": records}), 413, check_schema
    )
    assert "at most 100" in problem["detail"]


def _nested(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    _nested,
    max_leaves=12,
)
_FIELDS = st.sampled_from(
    ["code", "households", "population", "facilities", "staff", "services", "kind", "extra"]
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    top=st.dictionaries(
        st.sampled_from(["plan", "year", "by", "communities", "no_members", "x"]), _JSON
    ),
    records=st.lists(st.dictionaries(_FIELDS, _JSON, max_size=4), max_size=3),
)
def test_no_body_is_a_500(
    server: Server, top: dict[str, Any], records: list[Any], check_schema: Check
) -> None:
    body = json.dumps({**top, "communities": records})  # NaN and Infinity too
    answer = server.client.post("/v1/evaluate", content=body.encode())
    assert answer.status_code in (200, 400, 413, 422), answer.text
    if answer.status_code != 200:
        _problem(answer, answer.status_code, check_schema)


# --- many clients at once ------------------------------------------------------------


def test_concurrent_clients_get_the_same_answers(server: Server) -> None:
    communities = cssp.load_sample()
    expected = {}
    bodies = {}
    for index in range(8):
        chosen = communities[index * 5 : index * 5 + 5]
        bodies[index] = {"communities": [unstructure(c) for c in chosen], "by": "township"}
        report = cssp.evaluate_region(chosen, by="township", profiles=())
        expected[index] = render_report(report, "json").encode()

    def ask(index: int) -> tuple[int, bytes]:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            return index, client.post("/v1/evaluate", json=bodies[index]).content

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(ask, [i % 8 for i in range(48)]))
    for index, content in answers:
        assert content == expected[index]


# --- plugins and profile files, loaded once at start ---------------------------------


def test_a_profile_file_applies_and_is_listed(check_schema: Check) -> None:
    running = Server("--profile", str(GUANGDONG), "--no-plugins")
    try:
        plugins = running.client.get("/v1/plugins").json()
        check_schema("plugins", plugins)
        assert [(p["kind"], p["profiles"], p["scopes"]) for p in plugins["plugins"]] == [
            ("file", ["guangdong"], ["44"])
        ]
        answer = running.client.post("/v1/evaluate", json={"communities": _sample_records()})
        report = cssp.evaluate_region(cssp.load_sample(), profiles=[cssp.load_profile(GUANGDONG)])
        assert answer.content == render_report(report, "json").encode()
        assert "guangdong" in answer.text
    finally:
        running.stop()


def test_a_bad_profile_file_stops_the_start_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('schema = 1\nid = "x"\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "cssp", "serve", "--port", str(_free_port()), "--profile", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "cssp: error:" in done.stderr
    assert "Traceback" not in done.stderr


# --- the how-to's examples, run as a reader would ------------------------------------

HOWTO: Final = ROOT / "docs" / "howto" / "call-from-another-system.md"
DATA: Final = ROOT / "docs" / "howto" / "data"


def _curl_commands() -> list[str]:
    text = HOWTO.read_text("utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
    commands = [b.replace("\\\n", " ").strip() for b in blocks if b.lstrip().startswith("curl")]
    assert len(commands) == 2
    return commands


def test_the_howtos_curl_commands_work(server: Server, tmp_path: Path) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    shutil.copy(DATA / "request.json", tmp_path / "request.json")
    evaluate, targets = (c.replace("http://127.0.0.1:8000", server.url) for c in _curl_commands())
    answer = subprocess.run(
        evaluate, shell=True, cwd=tmp_path, capture_output=True, check=True
    ).stdout
    request = json.loads((DATA / "request.json").read_text("utf-8"))
    (tmp_path / "communities.json").write_text(
        json.dumps(request["communities"], ensure_ascii=False), encoding="utf-8"
    )
    assert answer == _cli("evaluate", str(tmp_path / "communities.json"), "--format", "json")
    answer = subprocess.run(targets, shell=True, capture_output=True, check=True).stdout
    assert answer == _cli("targets", "--code", "440106", "--format", "json")


def test_the_howtos_javascript_works(server: Server) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    done = subprocess.run(
        [node, str(DATA / "evaluate.mjs"), server.url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "330106002001: " in done.stdout
    assert "targets not met" in done.stdout


def test_the_readmes_curl_command_works(server: Server) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    readme = (ROOT / "README.md").read_text("utf-8")
    block = next(b for b in re.findall(r"```sh\n(.*?)```", readme, re.DOTALL) if "curl" in b)
    command = next(
        line for line in block.replace("\\\n", " ").splitlines() if line.startswith("curl")
    )
    command = command.replace("http://127.0.0.1:8000", server.url)
    answer = subprocess.run(command, shell=True, capture_output=True, check=True).stdout
    body = json.loads(re.search(r"--data-binary '(.*?)'", command)[1])  # type: ignore[index]
    assert (
        answer
        == render_report(
            cssp.evaluate_region(cssp.io.structure_communities(body["communities"]), profiles=()),
            "json",
        ).encode()
    )


# --- the canonical JSON text, at msgspec's speed ---------------------------------------

_FLOATS = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(
    [0.0, -0.0, 1e-4, 9.99e-5, 1e-5, 1e16, 9999999999999998.0, 1e22, 5e-324, 10.00001]
)


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5)


_DOCUMENTS = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | _FLOATS | st.text(),
    _containers,
    max_leaves=40,
)


@given(document=st.dictionaries(st.text(), _DOCUMENTS, max_size=6))
def test_canonical_json_is_the_standard_librarys_text(document: dict[str, Any]) -> None:
    from cssp.server.encoding import canonical_json

    expected = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert canonical_json(document).decode("utf-8") == expected


def test_canonical_json_on_reports() -> None:
    from cssp.report import report_to_dict
    from cssp.server.encoding import canonical_json

    for by in ("nation", "township"):
        report = cssp.evaluate_region(cssp.load_sample(), by=by, year=2023, profiles=())
        assert canonical_json(report_to_dict(report)) == render_report(report, "json").encode()
