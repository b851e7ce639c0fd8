"""Problem documents (RFC 9457, ``application/problem+json``) for every error the service returns.

A problem names its HTTP status, a title, a detail in words a person can act
on, and — for bad input — every located error, each with a JSON Pointer into
the request body (``#/communities/3/facilities/0/floor_area``) and cssp's own
path (``communities[3].facilities[0].floor_area``), as RFC 9457's ``errors``
example does.
"""

from __future__ import annotations

import re
from typing import Any, Final

from cssp.errors import InputError

__all__ = ["MEDIA_TYPE", "Problem", "pointer"]

#: The media type of a problem document.
MEDIA_TYPE: Final = "application/problem+json"

_TITLES: Final = {
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

_STEP: Final = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def pointer(path: str) -> str:
    """The JSON Pointer (as a URI fragment) of a cssp path into the request body.

    >>> pointer("communities[3].facilities[0].floor_area")
    '#/communities/3/facilities/0/floor_area'
    >>> pointer("")
    '#'
    """
    steps = []
    for index, name in _STEP.findall(path):
        step = index or name
        steps.append(step.replace("~", "~0").replace("/", "~1"))
    return "#" + "".join(f"/{step}" for step in steps)


class Problem(Exception):
    """An error the service answers with a problem document.

    :param status: the HTTP status.
    :param detail: what is wrong, for a person.
    :param errors: the located errors, as ``(path, message)`` pairs; the path
        is cssp's (``communities[3].households``), ``""`` for the whole body.
    :param in_query: the errors are in query parameters, named by ``parameter``
        instead of a pointer into the body.
    """

    def __init__(
        self,
        status: int,
        detail: str,
        errors: tuple[tuple[str, str], ...] = (),
        *,
        in_query: bool = False,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.in_query = in_query

    @classmethod
    def of_input(cls, error: InputError, prefix: str = "", status: int = 422) -> Problem:
        """The problem of an :class:`~cssp.errors.InputError`, each of its problems located.

        :param prefix: where in the body the error's paths start (``"communities"``).
        """
        errors = []
        for path, message in error.problems:
            where = path
            if prefix and not path.startswith(prefix):
                where = f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"
                where = where.rstrip(".")
            errors.append((where, message))
        detail = error.message if len(errors) > 1 else str(error)
        return cls(status, detail, tuple(errors))

    def document(self) -> dict[str, Any]:
        """The problem document: ``type``, ``title``, ``status``, ``detail`` and ``errors``."""
        return {
            "type": "about:blank",
            "title": _TITLES.get(self.status, "Error"),
            "status": self.status,
            "detail": self.detail,
            "errors": [
                {"parameter": path, "detail": message}
                if self.in_query
                else {"pointer": pointer(path), "path": path, "detail": message}
                for path, message in self.errors
            ],
        }
