"""Reviewing runs: diff between two runs, suspicious profiles, analyst labels, CSV export."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.identity.builders import (
    add_tables,
    block,
    exact_rule,
    groups,
    partition,
    profile_of,
    profiles_table,
    rules,
    run,
)
from workbench.identity.api import export_clusters
from workbench.identity.diff import diff_runs
from workbench.identity.labels import label_score, set_label
from workbench.identity.ruleset import IdentityKey
from workbench.identity.runs import RecordRef
from workbench.identity.suspicious import suspicious_profiles
from workbench.project import Project
from workbench.project.errors import WorkbenchError

EMAIL_ONLY = rules(blocking=[block("email")], rules=[exact_rule("same email", "email")])
EMAIL_AND_PHONE = rules(
    blocking=[block("email"), block("phone")],
    rules=[exact_rule("same email", "email"), exact_rule("same phone", "phone")],
)

# By e-mail: {a1 a2} {b1 b2} {c1 c2} {c3} {d1}; adding phone merges c3 into c1/c2.
CRM = profiles_table(
    "crm",
    "id,email,phone",
    "a1,a@example.com,",
    "a2,a@example.com,",
    "b1,b@example.com,",
    "b2,b@example.com,",
    "c1,c@example.com,",
    "c2,c@example.com,5550000003",
    "c3,other-c@example.com,555-000-0003",
    "d1,d@example.com,",
)


@pytest.fixture
def crm(project: Project, data_dir: Path) -> Project:
    add_tables(project, data_dir, CRM)
    return project


def test_diff_counts_a_merge_and_the_reverse_split(crm: Project) -> None:
    before = run(crm, EMAIL_ONLY)
    after = run(crm, EMAIL_AND_PHONE)
    old, new = profile_of(crm, before.run_id), profile_of(crm, after.run_id)
    d = diff_runs(crm, before.run_id, after.run_id)
    assert (d.profiles_a, d.profiles_b) == (5, 4)
    assert (d.kept, d.merged, d.split, d.changed, d.records_moved) == (3, 1, 0, 0, 0)
    assert d.merges == [
        {
            "profile": new[("crm", "c1")],
            "from": sorted({old[("crm", "c1")], old[("crm", "c3")]}),
            "records": 3,
        }
    ]
    back = diff_runs(crm, after.run_id, before.run_id)
    assert (back.kept, back.merged, back.split) == (3, 0, 1)
    assert back.records_moved == 1  # c3 left its profile
    assert back.splits == [
        {
            "profile": new[("crm", "c1")],
            "into": sorted({old[("crm", "c1")], old[("crm", "c3")]}),
            "records": 3,
        }
    ]


def test_a_pure_split_is_not_also_an_other_change(crm: Project) -> None:
    merged = run(crm, EMAIL_AND_PHONE)
    apart = run(crm, EMAIL_ONLY)
    assert diff_runs(crm, merged.run_id, apart.run_id).changed == 0


def test_diff_of_a_run_with_itself_keeps_everything(crm: Project) -> None:
    first = run(crm, EMAIL_ONLY)
    d = diff_runs(crm, first.run_id, first.run_id)
    assert (d.kept, d.merged, d.split, d.changed, d.records_moved) == (5, 0, 0, 0, 0)


def _moving(project: Project, data_dir: Path) -> tuple[str, str]:
    """Two runs in which record 2 moves from {1, 2} to {2, 3, 4}."""
    add_tables(
        project,
        data_dir,
        profiles_table(
            "crm",
            "id,email,phone,customer_id",
            "1,x@example.com,,K1",
            "2,x@example.com,5550000002,K2",
            "3,y@example.com,5550000002,K2",
            "4,y@example.com,,",
        ),
    )
    a = run(project, EMAIL_ONLY)
    strict = EMAIL_AND_PHONE.model_copy(deep=True)
    strict.keys = [IdentityKey(field="customer_id", unique=True)]
    b = run(project, strict)
    assert groups(project, a.run_id) == partition(["crm:1", "crm:2"], ["crm:3", "crm:4"])
    assert groups(project, b.run_id) == partition(["crm:1"], ["crm:2", "crm:3", "crm:4"])
    return a.run_id, b.run_id


def test_diff_counts_profiles_that_neither_merged_nor_split(
    project: Project, data_dir: Path
) -> None:
    a, b = _moving(project, data_dir)
    d = diff_runs(project, a, b)
    assert (d.kept, d.merged, d.split, d.changed) == (0, 0, 0, 2)


def test_diff_counts_a_record_that_moved_out_of_a_two_record_profile(
    project: Project, data_dir: Path
) -> None:
    a, b = _moving(project, data_dir)
    assert diff_runs(project, a, b).records_moved == 1


OVER_MERGE = profiles_table(
    "crm",
    "id,email,phone,customer_id",
    "o1,shared@example.com,,C1",
    "o2,shared@example.com,,C2",
    "n1,n@example.com,,C3",
    "n2,n@example.com,,C3",
    "m1,m@example.com,,C4",
    "m2,m@example.com,,C4",
    "m3,m@example.com,,C4",
    "s1,s@example.com,,",
)


def test_an_over_merge_with_two_customer_ids_ranks_first(project: Project, data_dir: Path) -> None:
    add_tables(project, data_dir, OVER_MERGE)
    report = run(project, EMAIL_ONLY)
    found = suspicious_profiles(project)
    over = profile_of(project, report.run_id)[("crm", "o1")]
    assert [s.profile_id for s in found] == [over]
    assert found[0].records == 2
    assert found[0].reasons == ["several 2 customer_id values"]


def test_a_very_large_profile_is_suspicious(project: Project, data_dir: Path) -> None:
    big = [f"b{i},big@example.com,,C9" for i in range(12)]
    table = profiles_table("crm", "id,email,phone,customer_id", *big, "x1,x@example.com,,C1")
    add_tables(project, data_dir, table)
    report = run(project, EMAIL_ONLY)
    found = suspicious_profiles(project)
    assert [s.profile_id for s in found] == [profile_of(project, report.run_id)[("crm", "b0")]]
    assert found[0].reasons[0].startswith("large: 12 records")


def test_a_chain_of_exact_rule_matches_is_not_a_weak_bridge(
    project: Project, data_dir: Path
) -> None:
    chain = ["q1,q@example.com,5550001111,C5", "q2,q@example.com,5550002222,C5"]
    chain.append("q3,q3@example.com,5550002222,C5")
    rows = [",".join(r) for r in OVER_MERGE.rows]
    table = profiles_table("crm", "id,email,phone,customer_id", *rows, *chain)
    add_tables(project, data_dir, table)
    report = run(project, EMAIL_AND_PHONE)
    found = suspicious_profiles(project)
    assert [s.profile_id for s in found] == [profile_of(project, report.run_id)[("crm", "o1")]]


def _ref(text: str) -> RecordRef:
    return RecordRef.parse(text)


def test_label_precision_and_recall(crm: Project) -> None:
    run(crm, EMAIL_AND_PHONE)  # {a1 a2} {b1 b2} {c1 c2 c3} {d1}
    set_label(crm, _ref("crm:a1"), _ref("crm:a2"), "same")  # together: true positive
    set_label(crm, _ref("crm:c3"), _ref("crm:c1"), "different")  # together: false positive
    set_label(crm, _ref("crm:b1"), _ref("crm:d1"), "same")  # apart: false negative
    set_label(crm, _ref("crm:a1"), _ref("crm:d1"), "different")  # apart: true negative
    set_label(crm, _ref("crm:b1"), _ref("crm:b2"), "unsure")  # not counted
    score = label_score(crm)
    assert (score.labeled, score.same, score.different) == (4, 2, 2)
    assert score.precision == pytest.approx(1 / 2)
    assert score.recall == pytest.approx(1 / 2)


def test_relabelling_a_pair_replaces_the_label_in_either_order(crm: Project) -> None:
    run(crm, EMAIL_AND_PHONE)
    set_label(crm, _ref("crm:c1"), _ref("crm:c3"), "different")
    set_label(crm, _ref("crm:c3"), _ref("crm:c1"), "same")
    score = label_score(crm)
    assert (score.labeled, score.same, score.precision, score.recall) == (1, 1, 1.0, 1.0)


def test_label_scores_per_run(crm: Project) -> None:
    merged = run(crm, EMAIL_AND_PHONE)
    apart = run(crm, EMAIL_ONLY)
    set_label(crm, _ref("crm:c1"), _ref("crm:c3"), "same")
    assert label_score(crm, merged.run_id).recall == 1.0
    assert label_score(crm, apart.run_id).recall == 0.0
    assert label_score(crm).recall == 0.0  # the current run
    assert label_score(crm).precision is None  # nothing predicted together that was labelled


def test_a_bad_label_is_refused(crm: Project) -> None:
    with pytest.raises(WorkbenchError, match="label must be one of same, different, unsure"):
        set_label(crm, _ref("crm:a1"), _ref("crm:a2"), "maybe")


def test_no_labels_yet(crm: Project) -> None:
    run(crm, EMAIL_ONLY)
    score = label_score(crm)
    assert (score.labeled, score.precision, score.recall) == (0, None, None)


def test_export_clusters_csv(project: Project, data_dir: Path, tmp_path: Path) -> None:
    ids = ["=1+2", "+44", "-5", "@home", "plain", "a=b"]
    table = profiles_table("crm", "id,email", *(f"{i},same@example.com" for i in ids))
    table.rows = [*table.rows, ["lonely", "other@example.com"]]
    add_tables(project, data_dir, table)
    report = run(project, EMAIL_ONLY)
    out = tmp_path / "clusters.csv"
    assert export_clusters(project, out) == len(ids) + 1
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["source", "record_id", "profile_id"]
    body = rows[1:]
    assert len(body) == len(ids) + 1
    pids = profile_of(project, report.run_id)
    expected = {
        ("crm", ("'" + r) if r[0] in "=+-@" else r, pids[("crm", r)]) for r in [*ids, "lonely"]
    }
    assert {tuple(r) for r in body} == expected
    assert len({r[2] for r in body}) == 2
