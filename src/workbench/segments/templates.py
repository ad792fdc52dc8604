"""Segment templates from the marketing playbooks, adapted to the data at hand.

A template is a function of the :class:`Catalog`: it picks the event types and fields that
play each part (the purchase event type, a login-like event, the opt-in attribute, ...) by
name, and returns an ordinary, editable :class:`Segment`. When the data lacks what a
template needs, :func:`template_segment` raises a :class:`SegmentError` saying what.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from workbench.segments.catalog import Catalog
from workbench.segments.errors import SegmentError
from workbench.segments.metrics import conventions
from workbench.segments.model import (
    AttributeCondition,
    Condition,
    EventCondition,
    EventFilter,
    Group,
    MetricCondition,
    NumberTest,
    RecencyCondition,
    Segment,
    SequenceCondition,
    ValueTest,
    Window,
)
from workbench.segments.values import kind_of


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    description: str
    category: str
    needs: tuple[str, ...]
    """What the data must hold, in words (event types or fields)."""


# -- finding the parts in the data ----------------------------------------------------------


def _words(name: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", name.lower()) if w}


def _pick(names: list[str] | tuple[str, ...], *choices: set[str] | str) -> str | None:
    """The first name matching a choice, in choice order: a str is an exact (case-blind)
    name, a set of words must all appear among the name's words."""
    for choice in choices:
        for name in names:
            if isinstance(choice, str):
                if name.lower() == choice:
                    return name
            elif choice <= _words(name):
                return name
    return None


def _event(catalog: Catalog, what: str, *choices: set[str] | str) -> str:
    found = _pick(list(catalog.event_types), *choices)
    if found is None:
        raise SegmentError(f"{what}; this project's event types: {_known(catalog)}")
    return found


def _known(catalog: Catalog) -> str:
    return ", ".join(sorted(catalog.event_types)) or "none"


def _purchase(catalog: Catalog, template: str) -> str:
    found = conventions(catalog.event_types).purchase
    if not found:
        raise SegmentError(
            f"{template} needs purchase events (an event type named like purchase, order "
            f"or transaction); this project's event types: {_known(catalog)}"
        )
    return _pick(found, "purchase", "order", {"purchase"}, {"order"}) or found[0]


def _field(catalog: Catalog, kinds: tuple[str, ...], *choices: set[str] | str) -> str | None:
    fields = [f for f, t in catalog.profile_fields.items() if kind_of(t) in kinds]
    return _pick(fields, *choices)


_VISIT = ("page_view", "pageview", {"page", "view"}, "visit", "session", "web_session")
_LOGIN = (
    "login",
    "log_in",
    "sign_in",
    "signin",
    {"login"},
    "app_session",
    "session",
    {"session"},
    "app_open",
)
_COUNTRY_ALIASES = (
    {"us", "usa", "u.s.", "u.s.a.", "united states", "united states of america", "america"},
    {"uk", "gb", "gbr", "u.k.", "united kingdom", "great britain", "england"},
    {"de", "deu", "germany", "deutschland"},
    {"fr", "fra", "france"},
    {"ca", "can", "canada"},
    {"au", "aus", "australia"},
)

# -- the templates --------------------------------------------------------------------------


def _cart_abandoners(catalog: Catalog) -> Group:
    cart = _event(
        catalog,
        "cart abandoners need cart events (e.g. cart_add or add_to_cart)",
        "cart_add",
        "add_to_cart",
        {"cart", "add"},
        "cart",
    )
    purchase = _purchase(catalog, "cart abandoners")
    return Group(
        conditions=[
            SequenceCondition(
                first=EventFilter(event_type=cart),
                then=EventFilter(event_type=purchase),
                then_not=True,
                within_hours=24,
                window=Window(kind="last_days", days=1),
            )
        ]
    )


def _high_value(catalog: Catalog) -> Group:
    _purchase(catalog, "high lifetime value")
    return Group(
        conditions=[
            MetricCondition(metric="monetary_score", test=NumberTest(op="exactly", value=5))
        ]
    )


def _repeat_buyers(catalog: Catalog) -> Group:
    purchase = _purchase(catalog, "repeat buyers")
    return Group(
        conditions=[
            EventCondition(
                event_type=purchase,
                test=NumberTest(op="at_least", value=2),
                window=Window(kind="last_days", days=90),
            )
        ]
    )


def _category_affinity(catalog: Catalog) -> Group:
    category = next(
        (f for f in catalog.event_fields if _words(f) & {"category", "categories"}), None
    )
    if category is None:
        raise SegmentError(
            "category affinity needs events with a category property (e.g. category on "
            "purchases or product views)"
        )
    value = catalog.modes.get("category") if category == "category" else None
    if value is None:
        raise SegmentError(f"category affinity needs events with a {category} value")
    views = _pick(
        [t for t, f in catalog.type_fields.items() if category in f] or list(catalog.event_types),
        "product_view",
        {"product", "view"},
        "view_item",
        *(_VISIT[:3]),
    )
    buys = [
        t
        for t in conventions(catalog.event_types).purchase
        if category in catalog.type_fields.get(t, (category,))
    ]
    where = [ValueTest(field=category, op="equals", value=str(value))]
    options: list[Condition] = []
    if buys:
        options.append(
            EventCondition(
                event_type=buys[0], where=where, window=Window(kind="last_days", days=180)
            )
        )
    if views:
        options.append(
            EventCondition(
                event_type=views,
                where=where,
                test=NumberTest(op="at_least", value=3),
                window=Window(kind="last_days", days=30),
            )
        )
    if not options:
        raise SegmentError(f"category affinity needs purchases or product views with a {category}")
    return Group(op="or", conditions=options)


def _not_subscribed(catalog: Catalog) -> Group:
    opt_in = _field(
        catalog,
        ("boolean",),
        "opt_in",
        "optin",
        "email_opt_in",
        "marketing_opt_in",
        "subscribed",
        "newsletter",
        {"opt", "in"},
        {"subscribed"},
        {"consent"},
    )
    if opt_in is not None:
        return Group(
            op="or",
            conditions=[
                AttributeCondition(field=opt_in, op="equals", value=False),
                AttributeCondition(field=opt_in, op="is_empty"),
            ],
        )
    sends = conventions(catalog.event_types).email_send
    if sends:
        return Group(
            conditions=[EventCondition(event_type=sends[0], test=NumberTest(op="exactly", value=0))]
        )
    raise SegmentError(
        "not yet subscribed needs an opt-in attribute (true/false, e.g. opt_in) or "
        "e-mail send events (e.g. email_send)"
    )


def _international(catalog: Catalog) -> Group:
    country = _field(catalog, ("text",), "country", "country_code", {"country"})
    if country is None:
        raise SegmentError("international needs a country attribute on the profiles")
    home = catalog.modes.get("country") if country == "country" else None
    if home is None:
        raise SegmentError(f"international needs profiles with a {country} value")
    home_text = str(home).strip().lower()
    aliases = next((a for a in _COUNTRY_ALIASES if home_text in a), {home_text})
    return Group(
        conditions=[
            AttributeCondition(field=country, op="not_in", values=sorted(aliases), ignore_case=True)
        ]
    )


def _first_time_visitors(catalog: Catalog) -> Group:
    visit = _event(
        catalog,
        "first-time visitors need visit events (e.g. page_view or session)",
        *_VISIT,
        "app_session",
    )
    return Group(
        conditions=[
            RecencyCondition(
                event_type=visit, which="first", test=NumberTest(op="at_most", value=7)
            )
        ]
    )


def _viewed_not_requested(catalog: Catalog) -> Group:
    viewed = _event(
        catalog,
        "the viewed-but-not-requested funnel stage needs view events (e.g. product_view)",
        "product_view",
        {"product", "view"},
        "view_item",
        "page_view",
        {"view"},
    )
    requested = _event(
        catalog,
        "the viewed-but-not-requested funnel stage needs request events (e.g. cart_add, "
        "demo_request or form_submit)",
        "cart_add",
        "add_to_cart",
        {"request"},
        {"form", "submit"},
        {"lead"},
        {"cart", "add"},
    )
    window = Window(kind="last_days", days=30)
    return Group(
        conditions=[
            EventCondition(event_type=viewed, window=window),
            EventCondition(
                event_type=requested, test=NumberTest(op="exactly", value=0), window=window
            ),
        ]
    )


def _login(catalog: Catalog, template: str) -> str:
    return _event(
        catalog, f"{template} needs login or session events (e.g. login or app_session)", *_LOGIN
    )


def _onboarding(catalog: Catalog) -> Group:
    login = _login(catalog, "onboarding")
    return Group(
        conditions=[EventCondition(event_type=login, test=NumberTest(op="exactly", value=1))]
    )


def _churn_inactive(catalog: Catalog) -> Group:
    login = _login(catalog, "churn potential")
    return Group(
        conditions=[
            RecencyCondition(
                event_type=login, which="last", test=NumberTest(op="at_least", value=30)
            )
        ]
    )


def _churn_unsubscribed(catalog: Catalog) -> Group:
    event = _pick(
        list(catalog.event_types),
        "email_unsubscribe",
        "unsubscribe",
        {"unsubscribe"},
        {"unsubscribed"},
        {"opt", "out"},
    )
    if event is not None:
        return Group(
            conditions=[EventCondition(event_type=event, window=Window(kind="last_days", days=90))]
        )
    flag = _field(catalog, ("boolean",), "unsubscribed", {"unsubscribed"})
    if flag is not None:
        return Group(conditions=[AttributeCondition(field=flag, op="equals", value=True)])
    raise SegmentError(
        "unsubscribed needs unsubscribe events (e.g. email_unsubscribe) or an unsubscribed "
        f"attribute; this project's event types: {_known(catalog)}"
    )


def _trial_end(catalog: Catalog) -> str:
    found = _field(
        catalog,
        ("date", "timestamp"),
        "trial_ends_at",
        "trial_end",
        "trial_end_date",
        "trial_expires_at",
        {"trial", "end"},
        {"trial", "ends"},
        {"trial", "expires"},
        {"trial"},
    )
    if found is None:
        raise SegmentError(
            "free-trial templates need a trial end date attribute on the profiles, "
            "e.g. trial_ends_at"
        )
    return found


def _trial(catalog: Catalog, active: bool) -> Group:
    end = _trial_end(catalog)
    in_trial = Group(
        conditions=[
            AttributeCondition(field=end, op="is_not_empty"),
            Group(
                negate=True,
                conditions=[AttributeCondition(field=end, op="more_than_days_ago", value=0)],
            ),
        ]
    )
    recent = EventCondition(
        event_type=None,
        test=NumberTest(op="at_least" if active else "exactly", value=1 if active else 0),
        window=Window(kind="last_days", days=7),
    )
    return Group(conditions=[in_trial, recent])


_BUILDERS: dict[str, tuple[Template, Callable[[Catalog], Group]]] = {}


def _add(template: Template, build: Callable[[Catalog], Group]) -> None:
    _BUILDERS[template.key] = (template, build)


_add(
    Template(
        "cart_abandoners_today",
        "Cart abandoners today",
        "Added to the cart in the last day and did not buy within 24 hours.",
        "Commerce",
        ("cart event (cart_add)", "purchase event"),
    ),
    _cart_abandoners,
)
_add(
    Template(
        "high_lifetime_value",
        "High lifetime value",
        "The top fifth of buyers by total spend (monetary score 5).",
        "Commerce",
        ("purchase event with a value",),
    ),
    _high_value,
)
_add(
    Template(
        "repeat_buyers",
        "Repeat buyers",
        "Bought at least twice in the last 90 days.",
        "Commerce",
        ("purchase event",),
    ),
    _repeat_buyers,
)
_add(
    Template(
        "category_affinity",
        "Category affinity",
        "Bought in, or viewed three times, the most common category.",
        "Commerce",
        ("category property on purchases or product views",),
    ),
    _category_affinity,
)
_add(
    Template(
        "not_yet_subscribed",
        "Not yet subscribed",
        "Lead generation: no marketing opt-in yet (or never sent an e-mail).",
        "Lead generation",
        ("opt-in attribute (opt_in) or e-mail send event",),
    ),
    _not_subscribed,
)
_add(
    Template(
        "international",
        "International",
        "Profiles whose country is not the most common (home) country.",
        "Location",
        ("country attribute",),
    ),
    _international,
)
_add(
    Template(
        "first_time_visitors",
        "First-time visitors",
        "First visit within the last 7 days.",
        "Engagement",
        ("visit event (page_view, session)",),
    ),
    _first_time_visitors,
)
_add(
    Template(
        "viewed_not_requested",
        "Funnel: viewed but not requested",
        "Viewed a product in the last 30 days but did not add to cart (request) then.",
        "Funnel",
        ("view event (product_view)", "request event (cart_add, demo_request)"),
    ),
    _viewed_not_requested,
)
_add(
    Template(
        "onboarding_logged_in_once",
        "Onboarding: logged in once",
        "Logged in (or opened the app) exactly once so far.",
        "Lifecycle",
        ("login or session event",),
    ),
    _onboarding,
)
_add(
    Template(
        "churn_no_login",
        "Churn potential: no login for 30 days",
        "Logged in before, but not in the last 30 days.",
        "Lifecycle",
        ("login or session event",),
    ),
    _churn_inactive,
)
_add(
    Template(
        "churn_unsubscribed",
        "Churn potential: unsubscribed",
        "Unsubscribed from e-mail in the last 90 days.",
        "Lifecycle",
        ("unsubscribe event or unsubscribed attribute",),
    ),
    _churn_unsubscribed,
)
_add(
    Template(
        "free_trial_active",
        "Free trial: active",
        "Trial not yet ended, and active in the last 7 days.",
        "Lifecycle",
        ("trial end date attribute (trial_ends_at)",),
    ),
    lambda c: _trial(c, active=True),
)
_add(
    Template(
        "free_trial_inactive",
        "Free trial: inactive",
        "Trial not yet ended, and no activity in the last 7 days.",
        "Lifecycle",
        ("trial end date attribute (trial_ends_at)",),
    ),
    lambda c: _trial(c, active=False),
)

TEMPLATES: tuple[Template, ...] = tuple(t for t, _ in _BUILDERS.values())


def template_problem(key: str, catalog: Catalog) -> str | None:
    """Why the template does not fit this data (what it needs), or None when it does."""
    if key not in _BUILDERS:
        raise SegmentError(f"no template '{key}' (known: {', '.join(t.key for t in TEMPLATES)})")
    try:
        _BUILDERS[key][1](catalog)
    except SegmentError as exc:
        return str(exc)
    return None


def template_segment(key: str, catalog: Catalog, name: str | None = None) -> Segment:
    """The template ``key`` as a segment for this data (raises SegmentError naming what
    the data lacks)."""
    if key not in _BUILDERS:
        raise SegmentError(f"no template '{key}' (known: {', '.join(t.key for t in TEMPLATES)})")
    template, build = _BUILDERS[key]
    try:
        root = build(catalog)
    except SegmentError as exc:
        raise SegmentError(f"template '{template.title}': {exc}") from None
    return Segment(name=name or template.title, description=template.description, root=root)
