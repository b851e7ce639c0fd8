"""A read-only mapping that pickles: the mappings inside cssp's frozen objects.

``types.MappingProxyType`` is read-only but cannot be pickled, so a
:class:`~cssp.model.community.Community` with ``extra`` fields, a plan or a
profile holding one could not be sent to another process (``multiprocessing``,
Dask's distributed scheduler, Spark). :class:`FrozenMap` is read-only in the
same way, compares equal to any mapping with the same items, and pickles.

>>> import pickle
>>> extra = FrozenMap({"childcare_places": 12.0})
>>> extra["childcare_places"], extra == {"childcare_places": 12.0}
(12.0, True)
>>> pickle.loads(pickle.dumps(extra)) == extra
True
>>> extra["other"] = 1.0
Traceback (most recent call last):
TypeError: 'FrozenMap' object does not support item assignment
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

__all__ = ["FrozenMap"]

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V], Generic[K, V]):
    """A read-only copy of a mapping (in its order), picklable, unhashable like a dict."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[K, V] | None = None) -> None:
        self._items: dict[K, V] = dict(items) if items is not None else {}

    def __getitem__(self, key: K) -> V:
        return self._items[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (self._items,))
