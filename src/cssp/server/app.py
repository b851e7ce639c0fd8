"""The Litestar application: the engine over HTTP, the command line's JSON documents.

Every answer is one of the JSON documents of :mod:`cssp.report` — built by the
same functions the ``cssp`` command uses, so ``POST /v1/evaluate`` returns
byte for byte what ``cssp evaluate --format json`` prints for the same
communities — or a problem document (:mod:`cssp.server.problems`).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final

import anyio
import anyio.to_thread
import attrs
from attrs import define, field
from litestar import Litestar, Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin

import cssp
from cssp.errors import CsspError, InputError, UnknownPlanError
from cssp.io.readers import read_records
from cssp.report import SCHEMA_VERSION as REPORT_SCHEMA_VERSION
from cssp.report import programmes_to_dict, report_to_dict, targets_to_dict
from cssp.rules import ProfileSet
from cssp.schemas import SCHEMAS, openapi_components, schema
from cssp.server.encoding import canonical_json
from cssp.server.page import docs_page
from cssp.server.problems import MEDIA_TYPE, Problem

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_COMMUNITIES",
    "LEVELS",
    "Settings",
    "app_from_environment",
    "create_app",
    "load_settings",
]

#: The largest request body accepted, in bytes (``--max-body-size``): 64 MiB.
DEFAULT_MAX_BODY_SIZE: Final = 64 * 2**20
#: The most communities one request may carry (``--max-communities``).
DEFAULT_MAX_COMMUNITIES: Final = 20_000
#: The region levels of ``"by"``.
LEVELS: Final = ("nation", "province", "prefecture", "county", "township")
#: From this many communities a request is evaluated in a worker thread, so
#: the event loop keeps answering (``/healthz``) meanwhile.
_THREAD_FROM: Final = 200
#: The environment variable that hands the settings to uvicorn's worker processes.
ENVIRONMENT: Final = "CSSP_SERVE_SETTINGS"

_KEYS: Final = ("plan", "year", "by", "communities", "no_communities", "no_members")
_JSON: Final = "application/json"
_log = logging.getLogger("cssp.server")


@define(frozen=True)
class Settings:
    """What a running service uses: its profiles, its plugins and its limits.

    Build one with :func:`load_settings`, which loads the plugins once.

    :param profiles: the province profiles every evaluation applies.
    :param plugins: the plugins and profile files they came from, as
        ``/v1/plugins`` lists them.
    :param max_body_size: the largest request body, in bytes (larger: 413).
    :param max_communities: the most communities in one request (more: 413).
    """

    profiles: ProfileSet
    plugins: tuple[dict[str, Any], ...] = field(default=())
    max_body_size: int = DEFAULT_MAX_BODY_SIZE
    max_communities: int = DEFAULT_MAX_COMMUNITIES


def load_settings(
    *,
    no_plugins: bool = False,
    strict: bool = False,
    profile_files: tuple[str, ...] = (),
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    max_communities: int = DEFAULT_MAX_COMMUNITIES,
) -> Settings:
    """Load the plugins and profile files once, as ``cssp serve`` does at start.

    :param no_plugins: the national plan alone, no installed plugin (the files still apply).
    :param strict: refuse a profile that loosens a national target.
    :param profile_files: data-only profiles (TOML) to apply as well.
    :param max_body_size: see :class:`Settings`.
    :param max_communities: see :class:`Settings`.
    :raises cssp.ProfileError: for a bad profile file, a conflict, or (strict) a loosened target.
    :raises cssp.InputError: for a limit that is not a positive number.
    """
    if max_body_size < 1 or max_communities < 1:
        raise InputError("the limits must be positive", "--max-body-size/--max-communities")
    profiles = [] if no_plugins else list(cssp.default_profiles().profiles)
    plugins = [] if no_plugins else [_plugin_dict(info) for info in cssp.list_plugins()]
    for path in tuple(profile_files):
        profile = cssp.load_profile(path)
        profiles.append(profile)
        plugins.append(
            {
                "name": os.path.basename(path),
                "distribution": "",
                "version": "",
                "kind": "file",
                "source": profile.source,
                "profiles": [profile.id],
                "scopes": [profile.scope],
            }
        )
    return Settings(
        ProfileSet(profiles, strict=strict),
        tuple(plugins),
        max_body_size=max_body_size,
        max_communities=max_communities,
    )


def _plugin_dict(info: cssp.PluginInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "distribution": info.distribution,
        "version": info.version,
        "kind": info.kind,
        "source": info.source,
        "profiles": list(info.profiles),
        "scopes": list(info.scopes),
    }


def _json(body: bytes, status: int = 200) -> Response[bytes]:
    return Response(body, status_code=status, media_type=_JSON)


def _problem_response(problem: Problem) -> Response[bytes]:
    body = json.dumps(problem.document(), ensure_ascii=False, indent=2).encode() + b"\n"
    return Response(body, status_code=problem.status, media_type=MEDIA_TYPE)


def _on_problem(_: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    assert isinstance(error, Problem)
    return _problem_response(error)


def _on_http(_: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    assert isinstance(error, HTTPException)
    status = error.status_code
    detail = str(error.detail)
    if status == 413:
        detail = "the request body is larger than this service accepts (--max-body-size)"
    return _problem_response(Problem(status, detail))


def _on_cssp(_: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    if isinstance(error, InputError):
        return _problem_response(Problem.of_input(error))
    return _problem_response(Problem(422, str(error)))


def _on_crash(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    _log.exception("cssp serve: %s %s failed", request.method, request.url.path, exc_info=error)
    return _problem_response(Problem(500, "the service failed on this request; it is logged"))


def _plan(value: object, *, in_query: bool = False) -> str:
    if not isinstance(value, str):
        message = f"{value!r} is not a plan id"
        raise Problem(422, "the plan must be a text", (("plan", message),), in_query=in_query)
    try:
        cssp.load_plan(value)
    except UnknownPlanError as error:
        raise Problem(422, str(error), (("plan", str(error)),), in_query=in_query) from None
    return value


def _request(body: bytes, settings: Settings) -> dict[str, Any]:
    """The checked fields of an evaluation request: every problem at once, located."""
    try:
        document = json.loads(body)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise Problem(400, f"the body is not valid JSON: {error.msg} ({where})") from None
    except (ValueError, RecursionError) as error:
        raise Problem(400, f"the body is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise Problem(422, "the body must be a JSON object with a 'communities' list")
    errors: list[tuple[str, str]] = []
    for key in sorted(set(document) - set(_KEYS)):
        errors.append((key, f"unknown field; the fields are {', '.join(_KEYS)}"))
    plan = document.get("plan", "fyp14")
    try:
        _plan(plan)
    except Problem as problem:
        errors.extend(problem.errors)
    year = document.get("year")
    if year is not None and (type(year) is not int):
        errors.append(("year", f"{year!r} is not a year (a whole number, or null)"))
    by = document.get("by", "county")
    if by not in LEVELS:
        errors.append(("by", f"{by!r} is not a region level; use one of {', '.join(LEVELS)}"))
    for flag in ("no_communities", "no_members"):
        if type(document.get(flag, False)) is not bool:
            errors.append((flag, "must be true or false"))
    records = document.get("communities")
    if not isinstance(records, list):
        errors.append(("communities", "a list of communities is required"))
    elif len(records) > settings.max_communities:
        raise Problem(
            413,
            f"{len(records):,} communities in one request; this service accepts at most "
            f"{settings.max_communities:,} (--max-communities): split the request",
            (("communities", f"at most {settings.max_communities:,} communities"),),
        )
    if errors:
        if isinstance(records, list):  # the communities' own problems, all at once
            try:
                read_records(records)
            except InputError as error:
                errors.extend(Problem.of_input(error, "communities").errors)
        count = f"{len(errors)} problems" if len(errors) > 1 else "a problem"
        raise Problem(422, f"{count} in the request", tuple(errors))
    return document


def _evaluate(document: Mapping[str, Any], settings: Settings) -> bytes:
    """The region report's JSON, as ``cssp evaluate --format json`` writes it."""
    try:
        read = read_records(document["communities"])
    except InputError as error:
        raise Problem.of_input(error, "communities") from None
    report = cssp.evaluate_region(
        read.communities,
        plan=document.get("plan", "fyp14"),
        by=document.get("by", "county"),
        year=document.get("year"),
        profiles=settings.profiles,
    )
    if read.notes:  # what reading said (codes not in the division list), as the command says
        report = attrs.evolve(report, input=read.notes)
    no_members = document.get("no_members", False)
    if no_members:
        report = report.without_members()
    include = not (document.get("no_communities", False) or no_members)
    return canonical_json(report_to_dict(report, include_communities=include))


def _query(request: Request[Any, Any, Any], allowed: tuple[str, ...]) -> dict[str, str]:
    params = dict(request.query_params)
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise Problem(
            422,
            f"unknown query parameter {unknown[0]!r}",
            tuple((name, f"unknown; use {', '.join(allowed) or 'none'}") for name in unknown),
            in_query=True,
        )
    return {key: str(value) for key, value in params.items()}


def create_app(settings: Settings) -> Litestar:
    """The service as an ASGI application (run it with any ASGI server).

    :param settings: what :func:`load_settings` returned.
    """
    limiter = anyio.CapacityLimiter(1)  # one large evaluation at a time per worker

    @post("/v1/evaluate", summary="Evaluate communities and their regions", tags=["evaluate"])
    async def evaluate(request: Request[Any, Any, Any]) -> Response[bytes]:
        """The ``region_report`` document of ``cssp evaluate --format json``, byte for byte."""
        document = _request(await request.body(), settings)
        if len(document["communities"]) < _THREAD_FROM:
            return _json(_evaluate(document, settings))
        body = await anyio.to_thread.run_sync(_evaluate, document, settings, limiter=limiter)
        return _json(body)

    @get("/v1/targets", sync_to_thread=False, summary="The targets in force", tags=["plan"])
    def targets(request: Request[Any, Any, Any]) -> Response[bytes]:
        """The ``targets`` document of ``cssp targets --format json`` (query: plan, code)."""
        query = _query(request, ("plan", "code"))
        return _json(
            _targets(_plan(query.get("plan", "fyp14"), in_query=True), query.get("code", ""))
        )

    @lru_cache(maxsize=512)
    def _targets(plan: str, code: str) -> bytes:
        if code and (not code.isdigit() or len(code) not in (2, 4, 6, 9, 12)):
            message = f"{code!r} is not a division code of 2, 4, 6, 9 or 12 digits"
            raise Problem(422, message, (("code", message),), in_query=True)
        effective = cssp.effective_targets(plan, code, profiles=settings.profiles)
        return canonical_json(targets_to_dict(effective, code))

    @get("/v1/plans", sync_to_thread=False, summary="The plans cssp ships", tags=["plan"])
    def plans(request: Request[Any, Any, Any]) -> Response[bytes]:
        """A ``plans`` document: every plan's id, title, issuer, document and years."""
        _query(request, ())
        return _json(_plans())

    @get("/v1/programmes", sync_to_thread=False, summary="A plan's programmes", tags=["plan"])
    def programmes(request: Request[Any, Any, Any]) -> Response[bytes]:
        """The ``programmes`` document of ``cssp programmes --format json`` (query: plan)."""
        query = _query(request, ("plan",))
        plan = _plan(query.get("plan", "fyp14"), in_query=True)
        return _json(canonical_json(programmes_to_dict(cssp.load_plan(plan))))

    @get("/v1/plugins", sync_to_thread=False, summary="The plugins loaded", tags=["service"])
    def plugins(request: Request[Any, Any, Any]) -> Response[bytes]:
        """A ``plugins`` document: the plugins and profile files loaded at start."""
        _query(request, ())
        document = {
            "schema_version": REPORT_SCHEMA_VERSION,
            "kind": "plugins",
            "plugins": list(settings.plugins),
        }
        return _json(canonical_json(document))

    @get("/v1/schemas/{name:str}", sync_to_thread=False, summary="A JSON Schema", tags=["service"])
    def schemas(name: str) -> Response[bytes]:
        """The JSON Schema (draft 2020-12) of ``cssp schema NAME``."""
        if name not in SCHEMAS:
            raise Problem(404, f"no schema {name!r}; the schemas are {', '.join(SCHEMAS)}")
        return _json(canonical_json(schema(name)))

    health = canonical_json({"status": "ok", "version": cssp.__version__})

    @get("/healthz", sync_to_thread=False, summary="Is the service up?", tags=["service"])
    def healthz() -> Response[bytes]:
        """``{"status": "ok", "version": ...}`` while the service answers."""
        return _json(health)

    @get("/docs", sync_to_thread=False, include_in_schema=False, media_type="text/html")
    def docs(request: Request[Any, Any, Any]) -> Response[bytes]:
        return Response(docs_page(_openapi(request.app), SCHEMAS), media_type="text/html")

    @get("/openapi.json", sync_to_thread=False, include_in_schema=False)
    def openapi(request: Request[Any, Any, Any]) -> Response[bytes]:
        return _json(canonical_json(_openapi(request.app)))

    return Litestar(
        route_handlers=[
            evaluate,
            targets,
            plans,
            programmes,
            plugins,
            schemas,
            healthz,
            docs,
            openapi,
        ],
        openapi_config=OpenAPIConfig(
            title="cssp",
            version=str(cssp.__version__),
            description="China's urban and rural community service plan (国办发〔2021〕56号): "
            "the same verdicts as the cssp library and command, over HTTP.",
            path="/docs/swagger",
            render_plugins=[_Swagger(path="/")],
        ),
        exception_handlers={
            Problem: _on_problem,
            HTTPException: _on_http,
            CsspError: _on_cssp,
            Exception: _on_crash,
        },
        request_max_body_size=settings.max_body_size,
        debug=False,
    )


@lru_cache(maxsize=1)
def _plans() -> bytes:
    documents = []
    for plan_id in cssp.PLAN_IDS:
        plan = cssp.load_plan(plan_id)
        documents.append(
            {
                "id": plan.id,
                "title": {"zh": plan.title.zh, "en": plan.title.en},
                "issuer": plan.issuer,
                "document": plan.document,
                "baseline_year": plan.baseline_year,
                "target_year": plan.target_year,
            }
        )
    return canonical_json(
        {"schema_version": REPORT_SCHEMA_VERSION, "kind": "plans", "plans": documents}
    )


def _openapi(app: Litestar) -> dict[str, Any]:
    """Litestar's OpenAPI document with the bodies described by cssp's JSON Schemas."""
    document: dict[str, Any] = json.loads(json.dumps(app.openapi_schema.to_schema()))
    components, refs = openapi_components()
    document.setdefault("components", {}).setdefault("schemas", {}).update(components)

    def answer(name: str, text: str) -> dict[str, Any]:
        return {"description": text, "content": {_JSON: {"schema": {"$ref": refs[name]}}}}

    problem = {
        "description": "a problem document (RFC 9457) with every located error",
        "content": {MEDIA_TYPE: {"schema": {"$ref": refs["problem"]}}},
    }
    operations = {
        ("/v1/evaluate", "post"): ("report", "the region report"),
        ("/v1/targets", "get"): ("targets", "the targets in force"),
        ("/v1/plans", "get"): ("plans", "the plans"),
        ("/v1/programmes", "get"): ("programmes", "the programmes"),
        ("/v1/plugins", "get"): ("plugins", "the plugins"),
    }
    for (path, method), (name, text) in operations.items():
        operation = document["paths"][path][method]
        operation["responses"] = {"200": answer(name, text), "4XX": problem}
    evaluate = document["paths"]["/v1/evaluate"]["post"]
    evaluate["requestBody"] = {
        "required": True,
        "content": {_JSON: {"schema": {"$ref": refs["request"]}}},
    }
    for path, parameters in (
        ("/v1/targets", ("plan", "code")),
        ("/v1/programmes", ("plan",)),
    ):
        document["paths"][path]["get"]["parameters"] = [
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
            for name in parameters
        ]
    return document


class _Swagger(SwaggerRenderPlugin):
    """Swagger UI at ``/docs/swagger`` (its scripts come from a CDN), on the described API."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, _openapi(request.app))


def app_from_environment() -> Litestar:
    """The application of a uvicorn worker: the settings ``cssp serve`` put in the environment."""
    options = json.loads(os.environ.get(ENVIRONMENT, "{}"))
    return create_app(load_settings(**options))
