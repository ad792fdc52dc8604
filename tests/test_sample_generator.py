"""The retail sample generator: determinism, file contract, realistic noise, events."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from workbench.sample import SampleManifest, SampleSource, generate
from workbench.sample.generator import main
from workbench.sample.names import FEMALE_FIRST_NAMES, FIRST_NAMES, LAST_NAMES, NICKNAMES
from workbench.tasks import Cancelled, Task

PEOPLE = 2_000
REFERENCE = date(2026, 6, 30)
WINDOW_START = datetime(2025, 6, 30)
WINDOW_END = datetime(2026, 6, 30)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SampleManifest]:
    out = tmp_path_factory.mktemp("sample")
    return out, generate(out, PEOPLE, seed=7)


def read(folder: Path, source: SampleSource) -> pd.DataFrame:
    """Read a generated file the way an importer would, keeping text as text."""
    path = folder / source.file
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pandas()
    if path.suffix == ".ndjson":
        return pd.read_json(path, lines=True, dtype=False)
    sep = ";" if "subscribers" in path.name else ","
    return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def frames(sample: tuple[Path, SampleManifest]) -> dict[str, pd.DataFrame]:
    folder, manifest = sample
    return {s.name: read(folder, s) for s in manifest.sources}


def normalise_email(email: str) -> str:
    """What a resolver does: case, plus tags, and Gmail's ignored dots."""
    local, _, domain = email.strip().lower().partition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local = local.replace(".", "")
    return f"{local}@{domain}"


def digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)[-10:]


def profile_records(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """All profile rows in one frame with the columns that can link them."""
    parts = []
    for name in ("crm_customers", "ecommerce_accounts", "email_subscribers", "app_installs"):
        f = frames[name]
        parts.append(
            pd.DataFrame(
                {
                    "source": name,
                    "email": f["email"].astype(object),
                    "first": f["first_name"].astype(object) if "first_name" in f else None,
                    "last": f["last_name"].astype(object) if "last_name" in f else None,
                    "phone": f["phone"].astype(object) if "phone" in f else None,
                    "dob": f["dob"].astype(object) if "dob" in f else None,
                    "device": f["device_id"].astype(object) if "device_id" in f else None,
                    "truth": f["truth_id"].astype(object),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


# -- determinism and the manifest contract ---------------------------------------------


def test_same_seed_gives_identical_bytes(sample, tmp_path):
    folder, manifest = sample
    again = generate(tmp_path, PEOPLE, seed=7)
    assert again == manifest
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    for name in names:
        assert (folder / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_different_seed_gives_different_data(sample, tmp_path):
    folder, manifest = sample
    other = generate(tmp_path, PEOPLE, seed=8)
    for source in manifest.sources:
        assert (folder / source.file).read_bytes() != (tmp_path / source.file).read_bytes()
    assert [s.file for s in other.sources] == [s.file for s in manifest.sources]


def test_manifest_round_trips_and_describes_the_sources(sample, tmp_path):
    folder, manifest = sample
    assert SampleManifest.load(folder) == manifest
    assert SampleManifest.load(folder / "manifest.json") == manifest
    saved = manifest.save(tmp_path / "copy.json")
    assert SampleManifest.load(saved) == manifest
    assert json.loads((folder / "manifest.json").read_text())["reference_date"] == "2026-06-30"
    assert manifest.people == PEOPLE
    assert manifest.seed == 7
    assert manifest.reference_date == REFERENCE
    kinds = {s.file: s.kind for s in manifest.sources}
    assert kinds == {
        "crm_customers.csv": "profiles",
        "ecommerce_accounts.parquet": "profiles",
        "email_subscribers.csv": "profiles",
        "app_installs.ndjson": "profiles",
        "email_events.parquet": "events",
        "web_events.parquet": "events",
        "purchases.csv": "events",
        "app_sessions.parquet": "events",
    }
    for source in manifest.profile_sources:
        assert source.columns("truth_id") == ["truth_id"]
        assert len(source.columns("record_id")) == 1
    for source in manifest.event_sources:
        key_roles = ("email", "customer_id", "cookie_id", "device_id")
        keys = [c for c, r in source.roles.items() if r in key_roles]
        assert len(keys) == 1, source.file
        assert source.columns("timestamp") == ["timestamp"]
        assert (source.event_type is None) == ("event_type" in source.roles)
    assert manifest.source("purchases").event_type == "purchase"
    assert manifest.source("purchases").columns("value") == ["amount"]


def test_roles_outside_the_vocabulary_are_rejected():
    with pytest.raises(ValueError, match="not allowed"):
        SampleSource(file="x.csv", name="x", kind="events", roles={"a": "first_name"})


def test_every_file_has_exactly_the_declared_columns_and_rows(sample, frames):
    _, manifest = sample
    for source in manifest.sources:
        frame = frames[source.name]
        assert list(frame.columns) == list(source.roles), source.file
        assert len(frame) == source.rows > 0, source.file


def test_file_formats_exercise_the_importer(sample):
    folder, _ = sample
    header = (folder / "email_subscribers.csv").read_text().splitlines()[0]
    assert header.count(";") == 5
    assert "," not in header
    lines = (folder / "app_installs.ndjson").read_text().splitlines()
    rows = [json.loads(line) for line in lines]
    assert any(r["email"] is None for r in rows)
    assert all(r["installed_at"].endswith("Z") for r in rows)


# -- profile sources -----------------------------------------------------------------------


def test_every_profile_row_has_a_truth_id_and_everyone_appears(frames):
    seen: set[str] = set()
    for name in ("crm_customers", "ecommerce_accounts", "email_subscribers", "app_installs"):
        truth = frames[name]["truth_id"]
        assert truth.notna().all(), name
        assert truth.str.fullmatch(r"P\d{7}").all(), name
        seen |= set(truth)
    assert len(seen) == PEOPLE


def test_record_ids_are_unique(sample, frames):
    _, manifest = sample
    for source in manifest.profile_sources:
        column = source.columns("record_id")[0]
        assert frames[source.name][column].is_unique, source.file
    assert frames["crm_customers"]["customer_id"].is_unique
    assert frames["purchases"]["order_id"].is_unique


def test_sources_overlap_like_real_systems(frames):
    shares = {
        name: frames[name]["truth_id"].nunique() / PEOPLE
        for name in ("crm_customers", "ecommerce_accounts", "email_subscribers", "app_installs")
    }
    assert 0.5 < shares["crm_customers"] < 0.7
    assert 0.4 < shares["ecommerce_accounts"] < 0.6
    assert 0.45 < shares["email_subscribers"] < 0.65
    assert 0.18 < shares["app_installs"] < 0.32
    records = profile_records(frames)
    per_person = records.groupby("truth")["source"].nunique()
    assert (per_person >= 2).mean() > 0.4
    assert (per_person == 4).sum() > 0.05 * PEOPLE


def test_crm_has_duplicate_customers(frames):
    crm = frames["crm_customers"]
    rows = crm.groupby("truth_id").size()
    dup_people = rows[rows == 2].index
    assert 0.01 * len(rows) < len(dup_people) < 0.06 * len(rows)
    assert rows.max() == 2
    dups = crm[crm["truth_id"].isin(dup_people)]
    assert dups.groupby("truth_id")["customer_id"].nunique().eq(2).all()
    differs = dups.groupby("truth_id")[["first_name", "last_name", "street"]].nunique().gt(1)
    assert differs.any(axis=1).mean() > 0.2  # typos, nicknames, old addresses


def test_postcodes_are_text_with_leading_zeros(frames):
    postcode = frames["crm_customers"]["postcode"].dropna()
    assert postcode.str.fullmatch(r"\d{5}(-\d{4})?").all()
    assert postcode.str.startswith("0").sum() > 5
    assert frames["crm_customers"]["dob"].dropna().str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


def test_email_spellings_vary_within_a_person(frames):
    records = profile_records(frames).dropna(subset=["email"])
    records["lower"] = records["email"].str.lower()
    records["norm"] = records["email"].map(normalise_email)
    per = records.groupby("truth").agg(
        raw=("email", "nunique"), lower=("lower", "nunique"), norm=("norm", "nunique")
    )
    case_only = (per["raw"] > per["lower"]).sum()
    dots_or_plus = (per["lower"] > per["norm"]).sum()
    assert case_only > 20
    assert dots_or_plus > 10
    assert records["email"].str.contains(r"\+", regex=True).sum() > 5
    # One normalised address per person, apart from the old-address CRM duplicates.
    assert (per["norm"] == 1).mean() > 0.99


def test_households_share_an_email(frames):
    crm = frames["crm_customers"].dropna(subset=["email"]).copy()
    crm["norm"] = crm["email"].map(normalise_email)
    groups = crm.groupby("norm")
    shared = groups["truth_id"].nunique()
    shared = shared[shared >= 2].index
    assert len(shared) > 0.005 * PEOPLE
    same_household = 0
    for key in shared:
        rows = crm[crm["norm"] == key]
        if rows["last_name"].str.lower().nunique() == 1 and rows["city"].str.lower().nunique() == 1:
            same_household += 1
    assert same_household >= 0.8 * len(shared)


def test_recycled_phone_numbers_appear_on_different_people(frames):
    crm = frames["crm_customers"].dropna(subset=["phone"]).copy()
    crm["digits"] = crm["phone"].map(digits)
    assert crm["digits"].str.len().eq(10).all()
    owners = crm.groupby("digits")["truth_id"].nunique()
    assert (owners >= 2).sum() >= 0.005 * PEOPLE


def test_phone_formats_vary(frames):
    phones = frames["crm_customers"]["phone"].dropna()
    formats = {
        r"\(\d{3}\) \d{3}-\d{4}",
        r"\+1 \d{3} \d{3} \d{4}",
        r"\d{3}\.\d{3}\.\d{4}",
        r"\d{3}-\d{3}-\d{4}",
        r"\d{10}",
    }
    for pattern in formats:
        assert phones.str.fullmatch(pattern).sum() > 5, pattern


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def test_names_carry_nicknames_typos_and_swaps(frames):
    crm = frames["crm_customers"][["truth_id", "first_name", "last_name"]]
    shop = frames["ecommerce_accounts"][["truth_id", "first_name", "last_name"]]
    both = crm.merge(shop, on="truth_id", suffixes=("_crm", "_shop")).dropna()
    nick = typo = swapped = 0
    for row in both.itertuples():
        a, b = row.first_name_crm, row.first_name_shop
        if a.lower() == b.lower():
            continue
        if b in NICKNAMES.get(a, []):
            nick += 1
        elif levenshtein(a.lower(), b.lower()) <= 2:
            typo += 1
        if a.lower() == row.last_name_shop.lower() and b.lower() == row.last_name_crm.lower():
            swapped += 1
    assert nick > 20
    assert typo > 5
    assert swapped >= 2
    full_only = frames["ecommerce_accounts"]
    full_only = full_only[full_only["first_name"].isna() & full_only["full_name"].notna()]
    assert len(full_only) > 0.04 * len(frames["ecommerce_accounts"])


def test_name_frequencies_are_skewed(frames):
    counts = frames["crm_customers"]["last_name"].value_counts()
    assert counts.iloc[0] > 5 * counts.median()
    assert counts.index[0] in LAST_NAMES[:10]


def test_true_matches_stay_reachable(frames):
    """Every true pair is linked by some evidence, so F1 >= 0.99 is attainable."""
    records = profile_records(frames)
    records["norm"] = records["email"].map(normalise_email, na_action="ignore")
    records["digits"] = records["phone"].map(digits, na_action="ignore")
    records["last_l"] = records["last"].str.lower()
    parent = list(range(len(records)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # Link only records of the same person that share a key a resolver can compare.
    for keys in (["norm"], ["device"], ["digits"], ["dob", "last_l"]):
        grouped = records.dropna(subset=keys).groupby([*keys, "truth"]).groups
        for group in grouped.values():
            rows = list(group)
            for r in rows[1:]:
                parent[find(r)] = find(rows[0])
    comp = pd.Series([find(i) for i in range(len(records))])
    pairs = lambda sizes: int((sizes * (sizes - 1) // 2).sum())  # noqa: E731
    linked = pairs(pd.DataFrame({"c": comp, "t": records["truth"]}).groupby(["c", "t"]).size())
    true_pairs = pairs(records.groupby("truth").size())
    assert true_pairs > PEOPLE * 0.5
    assert linked / true_pairs >= 0.995


# -- event sources -------------------------------------------------------------------------


def test_events_only_reference_existing_keys(frames):
    pairs = [
        ("email_events", "email", "email_subscribers", "email"),
        ("web_events", "cookie_id", "ecommerce_accounts", "cookie_id"),
        ("purchases", "customer_id", "crm_customers", "customer_id"),
        ("app_sessions", "device_id", "app_installs", "device_id"),
    ]
    for events, key, profiles, profile_key in pairs:
        used = set(frames[events][key])
        known = set(frames[profiles][profile_key].dropna())
        assert used <= known, events
        assert len(used) > 0.3 * len(known), events


def test_purchases_have_no_event_type_and_positive_two_decimal_amounts(sample, frames):
    folder, _ = sample
    purchases = frames["purchases"]
    assert "event_type" not in purchases.columns
    assert purchases["amount"].str.fullmatch(r"\d+\.\d{2}").all()
    assert (purchases["amount"].astype(float) > 0).all()
    assert set(purchases["channel"]) == {"web", "store", "app"}
    header = (folder / "purchases.csv").read_text().splitlines()[0]
    assert "event_type" not in header


def test_event_types_channels_and_rates(frames):
    email = frames["email_events"]["event_type"].value_counts()
    assert set(email.index) == {"email_send", "email_open", "email_click", "email_unsubscribe"}
    assert 0.15 < email["email_open"] / email["email_send"] < 0.25
    assert 0.06 < email["email_click"] / email["email_open"] < 0.14
    web = frames["web_events"]
    assert set(web["event_type"]) == {"page_view", "product_view", "cart_add", "cart_abandon"}
    assert web.loc[web["event_type"] == "product_view", "url"].str.startswith("/p/").all()
    assert set(frames["app_sessions"]["event_type"]) == {"app_session"}
    assert (frames["app_sessions"]["session_seconds"] > 0).all()
    channels = {"email_events": "email", "web_events": "web", "app_sessions": "app"}
    for name, channel in channels.items():
        assert set(frames[name]["channel"]) == {channel}


def _event_times(frames: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    out = {n: frames[n]["timestamp"] for n in ("email_events", "web_events", "app_sessions")}
    out["purchases"] = pd.to_datetime(frames["purchases"]["timestamp"], format="%Y-%m-%d %H:%M:%S")
    return out


def test_events_fall_in_the_twelve_months_before_the_reference_date(frames):
    for name, ts in _event_times(frames).items():
        assert ts.min() >= WINDOW_START, name
        assert ts.max() < WINDOW_END, name
        assert ts.max() > WINDOW_END - timedelta(days=14), name
        assert ts.min() < WINDOW_START + timedelta(days=14), name
    created = [
        frames["ecommerce_accounts"]["created_at"],
        pd.to_datetime(frames["email_subscribers"]["subscribed_at"]),
        pd.to_datetime(frames["app_installs"]["installed_at"].str.rstrip("Z")),
        pd.to_datetime(frames["crm_customers"]["signup_date"]),
    ]
    for ts in created:
        assert ts.max() < WINDOW_END


def test_event_volume_matches_events_per_person(sample):
    _, manifest = sample
    total = sum(s.rows for s in manifest.event_sources)
    assert 0.85 * PEOPLE * 20 < total < 1.15 * PEOPLE * 20


def test_events_have_weekly_and_yearly_seasonality(frames):
    ts = pd.concat([frames["web_events"]["timestamp"], frames["app_sessions"]["timestamp"]])
    month = ts.dt.month
    holiday = month.isin([11, 12]).sum() / 61
    summer = month.isin([7, 8]).sum() / 62
    assert holiday > 1.2 * summer
    weekend = ts.dt.day_of_week >= 5
    assert weekend.sum() / 2 > 1.1 * (~weekend).sum() / 5
    hour = ts.dt.hour
    assert hour.between(19, 21).sum() > 2 * hour.between(6, 8).sum()


def test_activity_is_heavy_tailed(frames):
    per_cookie = frames["web_events"]["cookie_id"].value_counts()
    assert per_cookie.median() < 0.7 * per_cookie.mean()
    top = per_cookie.iloc[: max(1, len(per_cookie) // 10)].sum()
    assert top > 0.3 * per_cookie.sum()


# -- vocabularies, task handling, command line -------------------------------------------


def test_vocabularies_are_big_enough():
    assert len(FIRST_NAMES) >= 200
    assert len(FEMALE_FIRST_NAMES) >= 100
    assert len(LAST_NAMES) >= 300
    assert len(NICKNAMES) >= 60
    assert NICKNAMES["Robert"][0] == "Bob"
    assert "Bill" in NICKNAMES["William"]
    assert "Liz" in NICKNAMES["Elizabeth"]
    assert all(name in FIRST_NAMES for name in NICKNAMES)


def test_progress_is_reported_and_cancel_stops(tmp_path):
    seen: list[float] = []
    generate(tmp_path / "a", 200, task=Task(lambda f, _m: seen.append(f)))
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert len(seen) >= 5
    task = Task()
    task.cancel()
    with pytest.raises(Cancelled):
        generate(tmp_path / "b", 200, task=task)


@pytest.mark.parametrize(("people", "per_person"), [(10, 0.0), (60, 2.0)])
def test_tiny_samples_still_work(tmp_path, people, per_person):
    manifest = generate(tmp_path, people, seed=1, events_per_person=per_person)
    for source in manifest.sources:
        assert (tmp_path / source.file).exists()
    if per_person == 0:
        assert all(s.rows == 0 for s in manifest.event_sources)


def test_rejects_nonsense_sizes(tmp_path):
    with pytest.raises(ValueError, match="people"):
        generate(tmp_path, 0)


def test_command_line(tmp_path, capsys):
    assert main(["--people", "150", "--out", str(tmp_path / "cli"), "--seed", "3"]) == 0
    printed = capsys.readouterr().out
    assert f"manifest: {tmp_path / 'cli' / 'manifest.json'}" in printed
    assert SampleManifest.load(tmp_path / "cli").seed == 3
    assert np.isfinite(float(re.search(r"in ([\d.]+) s", printed).group(1)))


def test_demo_never_replaces_a_file_it_did_not_build(tmp_path):
    """A path given by the user that holds something else (no demo stamp) is returned
    untouched, not rebuilt over."""
    from workbench.sample.demo_project import ensure_demo_project

    mine = tmp_path / "mine.wbproj"
    mine.write_bytes(b"someone's work")
    assert ensure_demo_project(mine) == mine
    assert mine.read_bytes() == b"someone's work"
    assert not (tmp_path / "mine_data").exists()
