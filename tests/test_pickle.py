"""cssp's objects go to other processes: communities, plans, profiles and results pickle.

``multiprocessing``, Dask's distributed scheduler and Spark send their
arguments and results with :mod:`pickle`. A read-only mapping inside a frozen
object (``Community.extra``, a plan's targets, a profile's measures) and a
TOML indicator's measure once made them unpicklable.
"""

from __future__ import annotations

import multiprocessing
import pickle
from pathlib import Path
from typing import TypeVar

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

import cssp
from cssp.model.community import Community
from cssp.testing import communities

CHECKOUT = Path(__file__).resolve().parents[1]


def _profiles() -> list[cssp.Profile]:
    import cssp_beijing

    found = [
        cssp.load_profile(CHECKOUT / f"plugins/cssp-{name}/cssp_{name}/profile.toml")
        for name in ("guangdong", "hubei", "jiangsu")
    ]
    return [*found, *cssp_beijing.cssp_profiles()]


T = TypeVar("T")


def _round_trip(value: T) -> T:
    loaded: T = pickle.loads(pickle.dumps(value))
    return loaded


@settings(max_examples=60, deadline=None)
@given(
    st.lists(communities(), max_size=8, unique_by=lambda c: c.code),
    st.dictionaries(st.sampled_from(["a", "childcare_places_under_3"]), st.floats(0, 1e6)),
)
def test_communities_and_their_results_pickle(
    items: list[Community], extra: dict[str, float]
) -> None:
    items = [attrs.evolve(c, extra=extra) for c in items]
    assert _round_trip(items) == items
    for community in items:
        assessment = cssp.evaluate(community, profiles=())
        assert _round_trip(assessment) == assessment
    report = cssp.evaluate_region(items, by="county", profiles=())
    assert _round_trip(report) == report


def test_a_shipped_plan_unpickles_as_the_loaded_plan() -> None:
    for plan_id in ("fyp14", "fyp13"):
        plan = cssp.load_plan(plan_id)
        assert _round_trip(plan) is plan


def test_profiles_pickle_and_evaluate_the_same() -> None:
    profiles = _profiles()
    copies = _round_trip(profiles)
    assert copies == profiles
    items = cssp.load_sample()
    before = cssp.evaluate_region(items, by="province", profiles=cssp.ProfileSet(profiles))
    after = cssp.evaluate_region(
        items, by="province", profiles=_round_trip(cssp.ProfileSet(profiles))
    )
    assert before == after


def test_a_process_pool_evaluates_as_this_process() -> None:
    """Under ``spawn`` (the default on Windows and macOS) everything crosses by pickle.

    The workers run :func:`cssp.evaluate` itself (a test module is not
    importable in them under pytest's importlib mode); they inherit the
    environment, plugins off.
    """
    items = cssp.load_sample()[:6]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        there = pool.map_async(cssp.evaluate, items).get(timeout=120)
    assert there == [cssp.evaluate(c) for c in items]
