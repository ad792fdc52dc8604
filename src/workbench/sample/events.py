"""Event sources: e-mail engagement, web browsing, purchases and app sessions.

Everything is drawn as integer arrays (key index, time, type, ...) and only
turned into Arrow columns at the end; key columns are dictionary-encoded views
of the profile keys, so 20 million events never materialise 20 million
strings. Activity per key is Poisson around a heavy-tailed intensity: most
people do little, a few do a lot.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.sample import catalog, timeline
from workbench.sample.people import People
from workbench.sample.profiles import Keys
from workbench.sample.timeline import DAY, END, START

# Share of all events per source; e-mail engagement and browsing dominate volume.
SHARES = {"email": 0.45, "web": 0.36, "purchases": 0.06, "app": 0.13}


def _dict(indices: np.ndarray, values: pa.Array | list[str]) -> pa.DictionaryArray:
    if not isinstance(values, pa.Array):
        values = pa.array(values, pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32)), values)


def _counts(rng: np.random.Generator, keys: Keys, total: float) -> np.ndarray:
    """Events per key: Poisson around ``total``, spread by activity and by how much
    of the window the key existed (a cookie set last week has had little time)."""
    exposure = np.clip((END - keys.since) / (END - START), 0.0, 1.0)
    weight = keys.weight * exposure
    return rng.poisson(weight / max(weight.sum(), 1e-12) * total)


def _favourite(rng: np.random.Generator, people: People, person: np.ndarray) -> np.ndarray:
    """Mostly the person's favourite category, sometimes anything else."""
    other = rng.choice(len(catalog.CATEGORIES), size=len(person))
    return np.where(rng.random(len(person)) < 0.6, people.category[person], other).astype(np.int8)


# -- e-mail -------------------------------------------------------------------------------

_FIXED_CAMPAIGNS = {  # (month, day) -> (slug, audience share)
    (7, 4): ("fourth-of-july", 0.8), (8, 5): ("back-to-school", 0.7),
    (9, 2): ("labor-day-sale", 0.8), (10, 28): ("halloween", 0.5),
    (12, 5): ("gift-guide", 0.9), (12, 12): ("gift-guide-2", 0.8),
    (12, 18): ("last-shipping-day", 0.9), (12, 26): ("boxing-day", 0.8),
    (1, 2): ("new-year-sale", 0.85), (2, 7): ("valentines", 0.6),
    (3, 20): ("spring-collection", 0.7), (5, 1): ("mothers-day", 0.6),
    (6, 12): ("fathers-day", 0.5), (6, 20): ("summer-sale", 0.85),
}  # fmt: skip


def campaigns(rng: np.random.Generator) -> tuple[np.ndarray, list[str], np.ndarray]:
    """The year's campaign calendar: send time, id and audience share of each."""
    start = timeline.REFERENCE_DATE - timedelta(days=timeline.WINDOW_DAYS)
    tg = [timeline.thanksgiving(y) for y in (start.year, start.year + 1)]
    times, ids, sizes = [], [], []
    for i in range(timeline.WINDOW_DAYS):
        d = start + timedelta(days=i)
        plan: list[tuple[str, float]] = []
        if d.weekday() == 1:
            plan.append(("newsletter", 0.9))
        if d.weekday() == 3:
            plan.append(("promo", 0.6))
        if d.day == 15:
            plan += [("vip-early-access", 0.12), ("winback", 0.1)]
        if d.month in (11, 12) and d.weekday() == 5 and d.day < 24:
            plan.append(("weekend-sale", 0.7))
        if any(0 <= (d - t).days <= 4 for t in tg):
            plan.append(("black-friday" if d.weekday() != 0 else "cyber-monday", 0.95))
        if (d.month, d.day) in _FIXED_CAMPAIGNS:
            plan.append(_FIXED_CAMPAIGNS[(d.month, d.day)])
        for slug, size in plan:
            hour = 10 if rng.random() < 0.7 else 18
            times.append(START + i * DAY + hour * 3600 + int(rng.integers(0, 1800)))
            ids.append(f"{d:%Y%m%d}-{slug}")
            sizes.append(size)
    return np.array(times, dtype=np.int64), ids, np.array(sizes)


def email_events(keys: Keys, rng: np.random.Generator, total: float) -> pa.Table:
    """Sends to subscribers, with opens (~20%), clicks (~10% of opens), unsubscribes."""
    n = len(keys.values)
    c_time, c_ids, c_size = campaigns(rng)
    by_since = np.argsort(keys.since, kind="stable")  # a campaign reaches a prefix of these
    eligible = np.searchsorted(keys.since[by_since], c_time, side="right")
    q = keys.weight[by_since]
    cum_q = np.concatenate([[0.0], np.cumsum(q)])
    expected = float((c_size * cum_q[eligible]).sum())
    scale = total / 1.222 / max(expected, 1e-12)  # an average send yields 1.22 events
    key_parts, camp_parts = [], []
    for c in range(len(c_time)):
        k = eligible[c]
        hit = np.flatnonzero(rng.random(k) < np.minimum(1.0, q[:k] * c_size[c] * scale))
        key_parts.append(by_since[hit].astype(np.int32))
        camp_parts.append(np.full(len(hit), c, dtype=np.int16))
    key = np.concatenate(key_parts) if key_parts else np.zeros(0, np.int32)
    camp = np.concatenate(camp_parts) if camp_parts else np.zeros(0, np.int16)
    sent = c_time[camp] + rng.integers(0, 5400, len(key))  # sending is throttled

    open_p = rng.beta(0.6, 2.4, n)  # mean 0.2, many never open, a few always do
    click_p = rng.beta(0.5, 4.5, n)  # mean 0.1 of opens
    opened = rng.random(len(key)) < open_p[key]
    open_t = sent + rng.lognormal(np.log(5400.0), 1.3, len(key)).astype(np.int64)
    clicked = opened & (rng.random(len(key)) < click_p[key])
    click_t = open_t + rng.lognormal(np.log(45.0), 1.0, len(key)).astype(np.int64)
    unsub = rng.random(len(key)) < 0.002
    unsub_t = open_t + rng.lognormal(np.log(60.0), 1.0, len(key)).astype(np.int64)
    cut = np.full(n, END, dtype=np.int64)
    np.minimum.at(cut, key[unsub], unsub_t[unsub])  # nothing is sent after unsubscribing
    limit = cut[key]
    parts = [
        (sent < limit, sent, 0),
        (opened & (open_t <= limit), open_t, 1),
        (clicked & (click_t <= limit), click_t, 2),
        (unsub & (unsub_t == limit), unsub_t, 3),
    ]
    keep = [m & (t < END) for m, t, _ in parts]
    k_all = np.concatenate([key[m] for m in keep])
    t_all = np.concatenate([p[1][m] for p, m in zip(parts, keep, strict=True)])
    type_all = np.concatenate(
        [np.full(int(m.sum()), p[2], np.int8) for p, m in zip(parts, keep, strict=True)]
    )
    c_all = np.concatenate([camp[m] for m in keep])
    order = np.argsort(t_all * 4 + type_all, kind="stable")  # a send sorts before its open
    k_all, t_all, type_all, c_all = k_all[order], t_all[order], type_all[order], c_all[order]
    types = ["email_send", "email_open", "email_click", "email_unsubscribe"]
    return pa.table(
        {
            "email": _dict(k_all, keys.values),
            "event_type": _dict(type_all, types),
            "timestamp": timeline.timestamps(t_all),
            "campaign_id": _dict(c_all, c_ids),
            "channel": _dict(np.zeros(len(k_all)), ["email"]),
        }
    )


# -- web ----------------------------------------------------------------------------------


def web_events(keys: Keys, people: People, rng: np.random.Generator, total: float) -> pa.Table:
    """Browsing sessions: landing page, category and product views, carts, abandons."""
    per_key = _counts(rng, keys, total / 3.75)  # ~4 events per session
    s_key = np.repeat(np.arange(len(per_key), dtype=np.int32), per_key)
    s = len(s_key)
    s_start = timeline.not_before(
        timeline.sample_times(rng, s, timeline.sampler()), keys.since[s_key]
    )
    s_cat = _favourite(rng, people, keys.person[s_key])
    length = np.minimum(rng.geometric(0.28, s), 40)
    sess = np.repeat(np.arange(s), length)
    first = np.concatenate([[0], np.cumsum(length)[:-1]]).astype(np.int64)
    pos = np.arange(len(sess)) - first[sess]
    gaps = rng.exponential(55.0, len(sess)) + 3.0
    gaps[pos == 0] = 0.0
    csum = np.cumsum(gaps)
    t = s_start[sess] + (csum - csum[first[sess]]).astype(np.int64)
    e = len(sess)
    etype = np.where(pos == 0, 0, rng.choice(3, size=e, p=[0.33, 0.52, 0.15])).astype(np.int8)
    cat = s_cat[sess]
    # Page views land on home / sale / new-in or a category page; products by popularity.
    page = np.where(
        pos == 0,
        rng.choice(4, size=e, p=[0.45, 0.1, 0.1, 0.35]),
        rng.choice(4, size=e, p=[0.1, 0.1, 0.1, 0.7]),
    )
    page_url = np.select(
        [page == 0, page == 1, page == 2],
        [catalog.HOME, catalog.SALE, catalog.NEW],
        catalog.CATEGORY_PAGE0 + cat,
    )
    sku = np.searchsorted(catalog.product_popularity(), rng.random(e))
    product_url = catalog.PRODUCT_PAGE0 + cat.astype(np.int64) * catalog.SKUS_PER_CATEGORY + sku
    url = np.where(etype == 0, page_url, product_url)
    has_cat = (etype > 0) | (page == 3)

    carted = np.zeros(s, bool)
    if s:
        carted = np.maximum.reduceat((etype == 2).astype(np.int8), first) > 0
    abandon = np.flatnonzero(carted & (rng.random(s) < 0.65))
    last = first[abandon] + length[abandon] - 1
    ab_t = t[last] + rng.integers(1800, 3600, len(abandon))

    k_all = np.concatenate([s_key[sess], s_key[abandon]])
    t_all = np.concatenate([t, ab_t])
    type_all = np.concatenate([etype, np.full(len(abandon), 3, np.int8)])
    url_all = np.concatenate([url, np.full(len(abandon), catalog.CART)])
    cat_all = np.concatenate([cat, s_cat[abandon]])
    cat_ok = np.concatenate([has_cat, np.ones(len(abandon), bool)])
    ok = t_all < END
    order = np.flatnonzero(ok)[np.argsort(t_all[ok], kind="stable")]
    category = pa.DictionaryArray.from_arrays(
        pa.array(cat_all[order].astype(np.int32), mask=~cat_ok[order]), catalog.CATEGORY_NAMES
    )
    return pa.table(
        {
            "cookie_id": _dict(k_all[order], keys.values),
            "event_type": _dict(
                type_all[order], ["page_view", "product_view", "cart_add", "cart_abandon"]
            ),
            "timestamp": timeline.timestamps(t_all[order]),
            "url": _dict(url_all[order], catalog.url_table()),
            "category": category,
            "channel": _dict(np.zeros(len(order)), ["web"]),
        }
    )


# -- purchases ----------------------------------------------------------------------------


def purchases(keys: Keys, people: People, rng: np.random.Generator, total: float) -> pa.Table:
    """Orders by CRM customer number, in store, on the web shop or in the app."""
    per_key = _counts(rng, keys, total)
    key = np.repeat(np.arange(len(per_key), dtype=np.int32), per_key)
    n = len(key)
    person = keys.person[key]
    u = rng.random(n)
    app_user = people.in_app[person]
    channel = np.where(
        app_user,
        np.searchsorted([0.36, 0.78], u, side="right"),  # web, store, app
        np.searchsorted([0.45, 1.01], u, side="right"),
    ).astype(np.int8)
    online = timeline.sample_times(rng, n, timeline.sampler("online"))
    store = timeline.sample_times(rng, n, timeline.sampler("store"))
    ts = timeline.not_before(np.where(channel == 1, store, online), keys.since[key])
    cat = _favourite(rng, people, person)
    median = np.array([c[2] for c in catalog.CATEGORIES])[cat]
    month = ts.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64) % 12 + 1
    holiday = np.where(month >= 11, 1.15, 1.0)  # bigger baskets before Christmas
    amount = np.maximum(rng.lognormal(np.log(median), 0.55) * holiday, 3.0)
    order = np.argsort(ts, kind="stable")
    key, ts, cat, channel, amount = key[order], ts[order], cat[order], channel[order], amount[order]
    order_no = 40_000_000 + np.cumsum(rng.integers(1, 4, n))  # guests fill the gaps
    return pa.table(
        {
            "customer_id": keys.values.take(pa.array(key)),
            "order_id": pc.binary_join_element_wise("HP", pa.array(order_no).cast(pa.string()), ""),
            "timestamp": timeline.format_times(ts),
            "amount": pa.array(np.round(amount, 2)).cast(pa.decimal128(10, 2)),
            "category": catalog.CATEGORY_NAMES.take(pa.array(cat)),
            "channel": pa.array(["web", "store", "app"]).take(pa.array(channel)),
        }
    )


# -- app ----------------------------------------------------------------------------------


def app_sessions(keys: Keys, rng: np.random.Generator, total: float) -> pa.Table:
    """App opens by device, never before the app was installed."""
    per_key = _counts(rng, keys, total)
    key = np.repeat(np.arange(len(per_key), dtype=np.int32), per_key)
    n = len(key)
    ts = timeline.not_before(timeline.sample_times(rng, n, timeline.sampler()), keys.since[key])
    seconds = np.clip(rng.lognormal(np.log(150.0), 1.0, n), 5, 7200).astype(np.int32)
    order = np.argsort(ts, kind="stable")
    return pa.table(
        {
            "device_id": _dict(key[order], keys.values),
            "event_type": _dict(np.zeros(n), ["app_session"]),
            "timestamp": timeline.timestamps(ts[order]),
            "session_seconds": pa.array(seconds[order]),
            "channel": _dict(np.zeros(n), ["app"]),
        }
    )
