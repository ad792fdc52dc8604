"""How good the clusters are against a known truth: pairwise and cluster-level scores."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import duckdb


@dataclass
class PairwiseScore:
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    precision: float
    recall: float
    f1: float
    records: int
    true_clusters: int
    predicted_clusters: int
    exact_clusters: float
    """Share of true people whose records form exactly one predicted cluster."""

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _pairs(n: str) -> str:
    return f"sum({n} * ({n} - 1) // 2)"


def pairwise_score(
    cur: duckdb.DuckDBPyConnection, table: str, cluster_col: str, truth_col: str
) -> PairwiseScore:
    """Pairwise precision/recall/F1 of ``cluster_col`` against ``truth_col``."""
    row = cur.execute(
        f"""
        WITH t AS (SELECT {cluster_col} AS c, {truth_col} AS g FROM {table}
                   WHERE {truth_col} IS NOT NULL),
        both_ AS (SELECT c, g, count(*) AS n FROM t GROUP BY c, g),
        pc AS (SELECT c, count(*) AS n FROM t GROUP BY c),
        tc AS (SELECT g, count(*) AS n FROM t GROUP BY g),
        exact AS (
            SELECT count(*) AS n FROM (
                SELECT b.g FROM both_ b JOIN pc ON pc.c = b.c JOIN tc ON tc.g = b.g
                WHERE b.n = pc.n AND b.n = tc.n))
        SELECT (SELECT {_pairs("n")} FROM tc), (SELECT {_pairs("n")} FROM pc),
               (SELECT {_pairs("n")} FROM both_), (SELECT count(*) FROM t),
               (SELECT count(*) FROM tc), (SELECT count(*) FROM pc), (SELECT n FROM exact)
        """
    ).fetchone()
    true_pairs, pred_pairs, correct, records, true_c, pred_c, exact = (int(v or 0) for v in row)
    precision = correct / pred_pairs if pred_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairwiseScore(
        true_pairs,
        pred_pairs,
        correct,
        precision,
        recall,
        f1,
        records,
        true_c,
        pred_c,
        exact / true_c if true_c else 1.0,
    )
