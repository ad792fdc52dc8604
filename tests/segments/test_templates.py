"""Templates adapt to the data: each one runs on a generated sample, or says what it needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from tests.segments.conftest import AS_OF, EVENT_COLUMNS, PROFILE_COLUMNS
from workbench.project import Project
from workbench.segments.catalog import Catalog, load_catalog
from workbench.segments.errors import SegmentError
from workbench.segments.evaluate import count_segment, member_ids
from workbench.segments.model import (
    AttributeCondition,
    Segment,
    SequenceCondition,
)
from workbench.segments.templates import TEMPLATES, template_problem, template_segment

NEEDS_TRIAL = {"free_trial_active", "free_trial_inactive"}


def test_the_issue_list_is_covered() -> None:
    keys = {t.key for t in TEMPLATES}
    assert keys == {
        "cart_abandoners_today",
        "high_lifetime_value",
        "repeat_buyers",
        "category_affinity",
        "not_yet_subscribed",
        "international",
        "first_time_visitors",
        "viewed_not_requested",
        "onboarding_logged_in_once",
        "churn_no_login",
        "churn_unsubscribed",
        "free_trial_active",
        "free_trial_inactive",
    }
    assert all(t.title and t.description and t.category and t.needs for t in TEMPLATES)


def test_every_template_runs_on_the_sample(sample_project: Project) -> None:
    catalog = load_catalog(sample_project)
    sizes = {}
    for template in TEMPLATES:
        if template.key in NEEDS_TRIAL:
            continue
        assert template_problem(template.key, catalog) is None, template.key
        segment = template_segment(template.key, catalog)
        assert segment.name == template.title
        assert Segment.model_validate_json(segment.model_dump_json()) == segment  # editable
        sizes[template.key] = count_segment(sample_project, segment).members
    # the sample's behaviour puts people in most of them
    for key in ("high_lifetime_value", "repeat_buyers", "category_affinity",
                "not_yet_subscribed", "viewed_not_requested", "churn_no_login"):  # fmt: skip
        assert sizes[key] > 0, key


def test_templates_pick_the_data_s_names(sample_project: Project) -> None:
    catalog = load_catalog(sample_project)
    [abandon] = template_segment("cart_abandoners_today", catalog).root.conditions
    assert isinstance(abandon, SequenceCondition)
    assert (abandon.first.event_type, abandon.then.event_type) == ("cart_add", "purchase")
    international = template_segment("international", catalog, name="abroad")
    assert international.name == "abroad"
    [country] = international.root.conditions
    assert isinstance(country, AttributeCondition)
    assert country.op == "not_in"
    assert {"us", "usa", "united states"} <= set(country.values or [])


def test_free_trial_needs_a_trial_end_date(sample_project: Project) -> None:
    catalog = load_catalog(sample_project)
    for key in NEEDS_TRIAL:
        with pytest.raises(SegmentError, match=r"need a trial end date attribute.*trial_ends_at"):
            template_segment(key, catalog)
        assert "trial_ends_at" in (template_problem(key, catalog) or "")


def test_unknown_template() -> None:
    empty = Catalog({}, {}, {}, 0, None)
    with pytest.raises(SegmentError, match="no template 'nope' \\(known: cart_abandoners_today"):
        template_segment("nope", empty)


@pytest.mark.parametrize(
    ("key", "needs"),
    [
        ("cart_abandoners_today", "need cart events"),
        ("high_lifetime_value", "needs purchase events"),
        ("repeat_buyers", "needs purchase events"),
        ("category_affinity", "needs events with a category property"),
        ("not_yet_subscribed", "needs an opt-in attribute"),
        ("international", "needs a country attribute"),
        ("first_time_visitors", "need visit events"),
        ("viewed_not_requested", "needs view events"),
        ("onboarding_logged_in_once", "needs login or session events"),
        ("churn_no_login", "needs login or session events"),
        ("churn_unsubscribed", "needs unsubscribe events"),
    ],
)
def test_missing_data_is_named(key: str, needs: str) -> None:
    empty = Catalog({"profile_id": "VARCHAR"}, {"ts": "TIMESTAMP"}, {}, 0, None)
    with pytest.raises(SegmentError, match=needs):
        template_segment(key, empty)


TRIAL_PROFILES = {**PROFILE_COLUMNS, "trial_ends_at": "DATE"}


def _trial_rows() -> tuple[list[dict], list[dict]]:
    profiles = [
        {"profile_id": "T1", "trial_ends_at": dt.date(2024, 7, 10)},  # in trial, active
        {"profile_id": "T2", "trial_ends_at": dt.date(2024, 6, 30)},  # ends today, inactive
        {"profile_id": "T3", "trial_ends_at": dt.date(2024, 6, 29)},  # ended
        {"profile_id": "T4"},  # no trial
    ]
    events = [
        {"profile_id": "T1", "event_type": "login", "ts": dt.datetime(2024, 6, 28)},
        {"profile_id": "T2", "event_type": "login", "ts": dt.datetime(2024, 6, 1)},
        {"profile_id": "T3", "event_type": "login", "ts": dt.datetime(2024, 6, 29)},
        {"profile_id": "T4", "event_type": "login", "ts": dt.datetime(2024, 6, 29)},
    ]
    return profiles, events


def test_free_trial_templates_with_a_trial_date(
    project_factory: Callable[..., Project],
) -> None:
    project = project_factory(*_trial_rows(), TRIAL_PROFILES, EVENT_COLUMNS)
    catalog = load_catalog(project)
    active = template_segment("free_trial_active", catalog)
    inactive = template_segment("free_trial_inactive", catalog)
    assert member_ids(project, active, AS_OF) == ["T1"]
    assert member_ids(project, inactive, AS_OF) == ["T2"]
    onboarding = template_segment("onboarding_logged_in_once", catalog)
    assert member_ids(project, onboarding, AS_OF) == ["T1", "T2", "T3", "T4"]
