"""The clerical review queue on a hand-made run whose every score is known by construction,
and on a real run (labels leave the queue; the queue only offers what the run holds)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.identity.builders import add_tables, block, exact_rule, profiles_table, rules, run
from workbench.identity.labels import label_score, set_label
from workbench.identity.review import (
    label_counts,
    pair_label,
    pair_view,
    remove_label,
    review_queue,
)
from workbench.identity.ruleset import FIELDS
from workbench.identity.runs import RecordRef
from workbench.identity.store import ensure_tables, set_current_run
from workbench.project import Project
from workbench.project.store import utcnow
from workbench.tasks import Cancelled, Task

RUN = "run-hand"
# Match weights (prior 1/2, so 0 bits): email agrees +3 / differs -2; first name agrees +2 /
# differs -1; missing 0. Threshold 0.95 is log2(19) = 4.25 bits.
MODEL = {
    "threshold": 0.95,
    "prior": 0.5,
    "fields": [
        {"field": "email", "levels": [{"method": "exact"}], "m": [1.0, 0.25], "u": [0.125, 1.0]},
        {"field": "first_name", "levels": [{"method": "exact"}], "m": [1.0, 0.5], "u": [0.25, 1.0]},
    ],
}
# rec: (profile, email, first_name, last_name (the blocking key), customer_id)
RECORDS = {
    0: ("PA", "a@x.com", "ann", "lee", "C1"),
    1: ("PA", "a@x.com", "ann", "lee", "C1"),  # 0-1: +5, p 0.970, matched just above
    2: ("PK", "b@x.com", "bo", "kim", None),
    3: ("PL", "b@x.com", None, "kim", None),  # 2-3: +3, p 0.889, just below
    4: ("PM", "c@x.com", "cy", "ray", None),
    5: ("PN", "d@x.com", "cy", "ray", None),  # 4-5: 0, p 0.5
    6: ("PO", "e@x.com", "ed", "fox", None),
    7: ("PP", "f@x.com", "al", "fox", None),  # 6-7: -3, p 0.111 (within 10 bits)
    8: ("PB", None, None, None, "C5"),
    9: ("PB", None, None, None, "C5"),
    10: ("PB", None, None, None, "C6"),
    11: ("PB", None, None, None, "C6"),  # 9-10 (p 0.99) alone holds PB together
    12: ("PC", None, None, None, "C7"),
    13: ("PC", None, None, None, "C8"),  # matched by a rule although the customer ids differ
    14: ("PD", None, None, None, None),
    15: ("PE", None, None, None, None),  # matched, kept apart by a guardrail
}
EDGES = [
    (0, 1, 5.0, "probabilistic"),
    (8, 9, None, "same customer"),
    (9, 10, math.log2(99), "probabilistic"),
    (10, 11, None, "same customer"),
    (12, 13, None, "same email"),
    (14, 15, 30.0, "probabilistic"),
]


def _ref(rec: int) -> RecordRef:
    return RecordRef("crm", f"r{rec:02d}")


def _write_run(project: Project, run_id: str = RUN, current: bool = True) -> None:
    """Store RECORDS and EDGES as resolve would have (records only for the current run)."""
    ruleset = rules(
        blocking=[block("last_name")],
        rules=[exact_rule("same customer", "customer_id"), exact_rule("same email", "email")],
        probabilistic=MODEL,
    )
    summary = {"rules": ruleset.model_dump(mode="json"), "records": len(RECORDS)}
    with project.transaction() as cur:
        ensure_tables(cur)
        cur.execute(
            "INSERT INTO meta.runs VALUES (?, 'identity', 'done', ?, ?, ?)",
            [run_id, utcnow(), utcnow(), json.dumps(summary)],
        )
        for rec, (profile, *_values) in RECORDS.items():
            cur.execute(
                "INSERT INTO identity.clusters VALUES (?, ?, 'crm', ?, ?)",
                [run_id, rec, _ref(rec).record_id, profile],
            )
        for a, b, score, rule in EDGES:
            p = 1.0 if score is None else 1 / (1 + 2**-score)
            cur.execute(
                "INSERT INTO identity.edges VALUES (?, ?, ?, ?, ?, ?, [])",
                [run_id, a, b, score, p, rule],
            )
        if current:
            columns = ", ".join(f"{f} VARCHAR" for f in FIELDS)
            cur.execute(
                "CREATE OR REPLACE TABLE identity.records (rec INTEGER, source VARCHAR, "
                f"record_id VARCHAR, truth_id VARCHAR, {columns})"
            )
            for rec, (_p, email, first, last, customer) in RECORDS.items():
                cur.execute(
                    "INSERT INTO identity.records (rec, source, record_id, email, first_name, "
                    "last_name, customer_id) VALUES (?, 'crm', ?, ?, ?, ?, ?)",
                    [rec, _ref(rec).record_id, email, first, last, customer],
                )
            set_current_run(cur, run_id)


@pytest.fixture
def hand_made(project: Project) -> Project:
    _write_run(project)
    return project


def _pairs(queue) -> list[tuple[str, int, int]]:
    return [(i.kind, int(i.left.record_id[1:]), int(i.right.record_id[1:])) for i in queue.items]


def test_the_kinds_are_taken_in_turn_each_best_first(hand_made: Project) -> None:
    queue = review_queue(hand_made)
    assert queue.run_id == RUN
    assert queue.threshold == 0.95
    assert _pairs(queue) == [
        ("bridge", 9, 10),
        ("conflict", 12, 13),
        ("above", 0, 1),
        ("below", 2, 3),
        ("refused", 14, 15),
        ("below", 4, 5),
        ("below", 6, 7),
    ]
    assert queue.labelled == 0


def test_each_pair_says_why(hand_made: Project) -> None:
    items = {
        (int(i.left.record_id[1:]), int(i.right.record_id[1:])): i
        for i in review_queue(hand_made).items
    }
    bridge = items[(9, 10)]
    # Also between two customer ids and just above the threshold: every reason, the first
    # kind wins.
    assert bridge.reasons == [
        "weak bridge holding 4 records together",
        "matched across different customer_id",
        "just above the threshold (0.990 ≥ 0.95)",
    ]
    assert bridge.same_profile
    assert items[(12, 13)].reasons == ["matched across different customer_id"]
    assert items[(12, 13)].rule == "same email"
    below = items[(2, 3)]
    assert below.probability == pytest.approx(8 / 9)  # 2^3 / (1 + 2^3)
    assert below.rule is None
    assert (below.left_profile, below.right_profile) == ("PK", "PL")
    assert items[(4, 5)].probability == pytest.approx(0.5)
    assert items[(6, 7)].probability == pytest.approx(1 / 9)
    refused = items[(14, 15)]
    assert refused.reasons == ["matched, but kept apart by guardrails"]
    assert not refused.same_profile


def test_labelled_pairs_leave_the_queue_and_are_counted(hand_made: Project) -> None:
    set_label(hand_made, _ref(3), _ref(2), "same")  # stored in either order
    set_label(hand_made, _ref(12), _ref(13), "different")
    queue = review_queue(hand_made)
    assert ("below", 2, 3) not in _pairs(queue)
    assert ("conflict", 12, 13) not in _pairs(queue)
    assert len(queue.items) == 5
    assert queue.labelled == 2
    assert label_counts(hand_made) == {"same": 1, "different": 1, "unsure": 0, "total": 2}
    assert pair_label(hand_made, _ref(2), _ref(3)) == "same"
    # The labels feed the run's score: 2-3 apart is a miss, 12-13 together a wrong merge.
    score = label_score(hand_made)
    assert (score.labeled, score.precision, score.recall) == (2, 0.0, 0.0)
    remove_label(hand_made, _ref(3), _ref(2))
    assert pair_label(hand_made, _ref(2), _ref(3)) is None
    assert ("below", 2, 3) in _pairs(review_queue(hand_made))


def test_the_limit_keeps_the_turns(hand_made: Project) -> None:
    assert [k for k, _a, _b in _pairs(review_queue(hand_made, limit=3))] == [
        "bridge",
        "conflict",
        "above",
    ]


def test_an_older_run_is_offered_without_rescoring(hand_made: Project) -> None:
    _write_run(hand_made, "run-older", current=False)
    queue = review_queue(hand_made, "run-older")
    assert queue.run_id == "run-older"
    assert {k for k, _a, _b in _pairs(queue)} == {"bridge", "conflict", "above", "refused"}
    assert queue.notes == ["pairs below the threshold are only offered for the current run"]


def test_a_cancelled_queue_stops(hand_made: Project) -> None:
    task = Task()
    task.cancel()
    with pytest.raises(Cancelled):
        review_queue(hand_made, task=task)


def test_pair_view_shows_every_field_and_what_differs(hand_made: Project) -> None:
    view = pair_view(hand_made, _ref(4), _ref(5))
    rows = {r.field: r for r in view.rows}
    assert list(rows) == ["email", "first_name", "last_name"]  # fields neither has are left out
    assert (rows["email"].left, rows["email"].right, rows["email"].level) == (
        "c@x.com",
        "d@x.com",
        "different",
    )
    assert rows["email"].differs
    assert rows["email"].weight == pytest.approx(-2.0)
    assert (rows["first_name"].level, rows["first_name"].differs) == ("exact", False)
    assert (rows["last_name"].level, rows["last_name"].weight) == ("same", None)
    assert view.explanation.probability == pytest.approx(0.5)
    assert view.label is None


# ------------------------------------------------------------------ on a real run
CRM = profiles_table(
    "crm",
    "id,email,phone,customer_id",
    "1,a@example.com,5550001111,C1",
    "2,a@example.com,5550001111,C2",
    "3,b@example.com,,C3",
    "4,b@example.com,5550002222,C3",
)


def test_a_real_run_offers_its_conflicting_match(project: Project, data_dir: Path) -> None:
    add_tables(project, data_dir, CRM)
    run(project, rules(blocking=[block("email")], rules=[exact_rule("same email", "email")]))
    queue = review_queue(project)
    assert [(i.kind, str(i.left), str(i.right)) for i in queue.items] == [
        ("conflict", "crm:1", "crm:2")
    ]
    set_label(project, RecordRef("crm", "1"), RecordRef("crm", "2"), "different")
    after = review_queue(project)
    assert (after.items, after.labelled) == ([], 1)


def test_the_review_command(hand_made: Project, capsys: pytest.CaptureFixture[str]) -> None:
    from workbench.cli.main import main

    set_label(hand_made, _ref(0), _ref(1), "unsure")
    path = hand_made.path
    hand_made.close()  # the command opens the file itself
    assert main(["review", str(path), "--limit", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(i["kind"], i["left"], i["right"]) for i in out["items"]] == [
        ("bridge", "crm:r09", "crm:r10"),
        ("conflict", "crm:r12", "crm:r13"),
    ]
    assert out["labelled"] == 1
    assert out["label_counts"] == {"same": 0, "different": 0, "unsure": 1, "total": 1}
    assert main(["review", str(path), "--limit", "3"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"Run {RUN}: 3 pairs to review (threshold 0.95); 1 labelled so far")
    assert "crm:r12" in text
    assert "weak bridge holding 4 records together" in text
