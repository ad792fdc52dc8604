"""Identity resolution: normalise, block, compare, score, cluster, profile, evaluate."""
