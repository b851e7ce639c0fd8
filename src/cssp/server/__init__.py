"""The HTTP service: cssp's engine for systems written in any language (``cssp[server]``).

``cssp serve`` runs it; :func:`create_app` gives the ASGI application to run
with any ASGI server. It answers with the JSON documents of the ``cssp``
command — ``POST /v1/evaluate`` returns byte for byte what
``cssp evaluate --format json`` prints — described by the JSON Schemas of
:mod:`cssp.schemas` in ``/openapi.json``; bad input is a problem document
(RFC 9457) listing every located error, never a 500. See the how-to "Call cssp
from another system".

It is built on Litestar: an ASGI framework that reads attrs classes natively,
so no second model of communities or findings is needed, with OpenAPI 3.1
(JSON Schema 2020-12, the dialect of :mod:`cssp.schemas`) and msgspec, which
writes the documents' canonical JSON in microseconds
(:mod:`cssp.server.encoding`).
"""

from __future__ import annotations

import json
import os
from typing import Any

from cssp.errors import CsspError

__all__ = ["create_app", "load_settings", "serve"]


def _require_extra() -> None:
    try:
        import litestar  # noqa: F401, PLC0415
        import uvicorn  # noqa: F401, PLC0415
    except ImportError as error:
        raise CsspError(
            f"the service needs the server extra ({error.name} is not installed): "
            "pip install 'cssp[server]'"
        ) from None


def create_app(settings: Any = None) -> Any:
    """The service as an ASGI application (a ``litestar.Litestar``).

    :param settings: what :func:`load_settings` returns; default: the installed plugins.
    """
    _require_extra()
    from cssp.server import app  # noqa: PLC0415 - the optional extra

    return app.create_app(settings if settings is not None else app.load_settings())


def load_settings(**options: Any) -> Any:
    """Load the plugins and profile files once: :func:`cssp.server.app.load_settings`."""
    _require_extra()
    from cssp.server import app  # noqa: PLC0415 - the optional extra

    return app.load_settings(**options)


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    options: dict[str, Any] | None = None,
    log_level: str = "warning",
    access_log: bool = False,
) -> None:
    """Run the service with uvicorn until interrupted (what ``cssp serve`` does).

    The settings are checked (plugins loaded, profile files read) before the
    server starts, so a bad profile is an error here, not in a worker.

    :param host: the address to listen on (default loopback only).
    :param port: the port.
    :param workers: worker processes, each with its own copy of the plugins.
    :param options: the keyword arguments of :func:`load_settings`.
    :param log_level: uvicorn's log level.
    :param access_log: log every request.
    :raises cssp.CsspError: without the server extra, or for bad settings.
    """
    options = dict(options or {})
    create_app(load_settings(**options))  # a bad setting fails here, before any worker starts
    from cssp.server.app import ENVIRONMENT  # noqa: PLC0415 - the optional extra

    os.environ[ENVIRONMENT] = json.dumps(options)
    import uvicorn  # noqa: PLC0415 - the optional extra

    uvicorn.run(
        "cssp.server.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=access_log,
        server_header=False,
    )
