"""Where the nodes of an identity graph sit: a deterministic force-directed layout, and the
project's cache of it (with the positions the user dragged nodes to).

The layout is Fruchterman-Reingold with the repulsion cut off beyond a few edge lengths
(the grid variant of the original paper), found with a k-d tree, so an iteration costs
about the number of edges rather than the square of the nodes. Large components start
from a spectral layout, which gives the cut-off version the global shape it cannot find
by itself. Connected components are laid out apart and then packed side by side.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from scipy.sparse import coo_matrix, csgraph, diags
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, eigsh
from scipy.spatial import cKDTree

from workbench.identity.graph import ProfileGraph
from workbench.project.store import Project
from workbench.tasks import Task, null_task

LAYOUTS = "identity.layouts"
CUTOFF = 2.0
"""Nodes further apart than this many edge lengths do not repel each other."""
SPECTRAL_FROM = 40
"""Components with at least this many nodes start from a spectral layout."""
FAR_GRID = 8
"""Cells per side of the grid whose centres of mass stand in for far-away nodes."""
FAR_EVERY = 2
"""Iterations between two computations of the far field."""
REFRESH = 3
"""Iterations between two searches for close pairs."""
SKIN = 0.5
"""Margin of the close-pair search, so pairs found stay valid for REFRESH iterations."""
GAP = 1.6
"""Space between packed components, in edge lengths."""

Positions = Mapping[int, tuple[float, float]]


def force_layout(
    n: int,
    a: np.ndarray,
    b: np.ndarray,
    weight: np.ndarray | None = None,
    fixed: Positions | None = None,
    task: Task | None = None,
    iterations: int = 100,
    seed: int = 0,
) -> np.ndarray:
    """Positions (n x 2, edge length about 1) for an undirected graph of ``n`` nodes.

    ``a``/``b`` are the edge end points, ``weight`` (default 1) pulls harder along strong
    edges. Nodes in ``fixed`` stay where they are, and so does the component around them;
    the other components are packed to the right. Same input, same output.
    """
    task = task or null_task()
    fixed = dict(fixed or {})
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    w = np.ones(len(a)) if weight is None else np.asarray(weight, dtype=np.float64)
    keep = a != b
    a, b, w = a[keep], b[keep], w[keep]
    pos = np.zeros((n, 2))
    if n == 0:
        return pos
    count, comp = csgraph.connected_components(
        coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n)), directed=False
    )
    sizes = np.bincount(comp, minlength=count)
    anchored = np.zeros(count, dtype=bool)
    pinned = np.zeros(n, dtype=bool)
    for i, (x, y) in fixed.items():
        if 0 <= i < n:
            pinned[i] = True
            pos[i] = (x, y)
            anchored[comp[i]] = True
    rng = np.random.default_rng(seed)
    _initial(pos, comp, sizes, anchored, pinned, a, b, rng)
    task.progress(0.1, "Arranging the graph")
    _simulate(pos, comp, sizes, pinned, a, b, w, iterations, task)
    _pack(pos, comp, sizes, anchored)
    task.progress(1.0, "Graph arranged")
    return pos


def _initial(
    pos: np.ndarray,
    comp: np.ndarray,
    sizes: np.ndarray,
    anchored: np.ndarray,
    pinned: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Start positions: each free component in a cell of its own, far from the others;
    large ones from their spectral layout, small ones on a circle."""
    count = len(sizes)
    spacing = 2.5 * math.sqrt(float(sizes.max())) + 2 * CUTOFF + 2
    cols = max(1, math.ceil(math.sqrt(count)))
    jitter = rng.uniform(-0.5, 0.5, size=pos.shape)
    order = np.argsort(comp, kind="stable")
    groups = np.split(order, np.cumsum(sizes)[:-1])
    for c, members in enumerate(groups):
        extent = math.sqrt(len(members))
        if anchored[c]:
            free = members[~pinned[members]]
            centre = pos[members[pinned[members]]].mean(axis=0)
            pos[free] = centre + jitter[free] * extent
            continue
        origin = np.array([(c % cols) * spacing, (c // cols) * spacing])
        start = None
        if len(members) >= SPECTRAL_FROM:
            start = _spectral(members, a, b)
        if start is None:
            # Small components start on a circle (a dense profile then settles into a
            # ring rather than folding a record into its middle), nudged off symmetry.
            m = len(members)
            angle = 2 * math.pi * np.arange(m) / m
            radius = max(0.6, m / (2 * math.pi))
            start = np.column_stack([np.cos(angle), np.sin(angle)]) * radius
            start += jitter[members] * 0.1
        pos[members] = origin + start


def _spectral(members: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """The two smallest non-trivial eigenvectors of the normalised Laplacian, scaled."""
    local = np.full(int(members.max()) + 1, -1)
    local[members] = np.arange(len(members))
    inside = (a <= members.max()) & (b <= members.max())
    la, lb = local[a[inside]], local[b[inside]]
    ok = (la >= 0) & (lb >= 0)
    la, lb = la[ok], lb[ok]
    m = len(members)
    adj = coo_matrix((np.ones(2 * len(la)), (np.r_[la, lb], np.r_[lb, la])), shape=(m, m)).tocsr()
    degree = np.asarray(adj.sum(axis=1)).ravel()
    scale = diags(1 / np.sqrt(np.maximum(degree, 1e-9)))
    # Largest eigenvalues of D^-1/2 A D^-1/2 are the smallest of the normalised Laplacian;
    # shifting by the identity keeps the spectrum positive so ARPACK converges quickly.
    norm = scale @ adj @ scale + diags(np.ones(m))
    try:
        _, vec = eigsh(norm, k=3, which="LA", v0=np.ones(m), tol=1e-4, maxiter=5000)
    except (ArpackNoConvergence, ArpackError):
        return None
    coords = vec[:, :2][:, ::-1]
    coords = coords - coords.mean(axis=0)
    spread = coords.std(axis=0)
    if not np.all(spread > 1e-9):
        return None
    return coords / spread * (0.5 * math.sqrt(m))


def _simulate(
    pos: np.ndarray,
    comp: np.ndarray,
    sizes: np.ndarray,
    pinned: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    w: np.ndarray,
    iterations: int,
    task: Task,
) -> None:
    n = len(pos)
    movable = ~pinned
    if not movable.any():
        return
    x, y = pos[:, 0].copy(), pos[:, 1].copy()
    large = [np.flatnonzero(comp == c) for c in np.flatnonzero(sizes >= SPECTRAL_FROM)]
    # Start hot enough to untangle a component, cool linearly to almost nothing.
    t0 = 0.1 * np.sqrt(sizes[comp]) + 0.5
    i = j = np.zeros(0, dtype=np.int64)
    far_x, far_y = np.zeros(n), np.zeros(n)
    for it in range(iterations):
        if it % REFRESH == 0:
            # Candidate pairs within the cut-off plus a margin, kept for a few steps
            # (nodes move less than the margin in between).
            pairs = cKDTree(np.column_stack([x, y])).query_pairs(
                CUTOFF + SKIN, output_type="ndarray"
            )
            i, j = (pairs[:, 0], pairs[:, 1]) if len(pairs) else (i[:0], j[:0])
            same = comp[i] == comp[j]
            i, j = i[same], j[same]
            ends = np.concatenate([i, j, a, b])
        if it % FAR_EVERY == 0:
            # The far field changes slowly: refreshed every other step.
            far_x[:] = 0.0
            far_y[:] = 0.0
            for members in large:
                _far_field(x, y, members, far_x, far_y)
        dx, dy = x[i] - x[j], y[i] - y[j]
        d2 = np.maximum(dx * dx + dy * dy, 1e-4)
        near = np.where(d2 < CUTOFF * CUTOFF, 1.0 / d2, 0.0)  # k^2 / d along the unit vector
        ex, ey = x[b] - x[a], y[b] - y[a]
        pull = np.sqrt(ex * ex + ey * ey) * w  # d^2 / k along the unit vector
        push_x, push_y, pull_x, pull_y = dx * near, dy * near, ex * pull, ey * pull
        # One pass adds every pair's force to its first node and subtracts it from the other.
        fx = far_x + np.bincount(
            ends, weights=np.concatenate([push_x, -push_x, pull_x, -pull_x]), minlength=n
        )
        fy = far_y + np.bincount(
            ends, weights=np.concatenate([push_y, -push_y, pull_y, -pull_y]), minlength=n
        )
        length = np.maximum(np.sqrt(fx * fx + fy * fy), 1e-9)
        step = np.where(movable, np.minimum(length, t0 * (1 - it / iterations) + 0.01), 0.0)
        x += fx / length * step
        y += fy / length * step
        if it % 10 == 9:
            task.progress(0.1 + 0.85 * (it + 1) / iterations, "Arranging the graph")
    pos[:, 0], pos[:, 1] = x, y


def _far_field(
    x: np.ndarray, y: np.ndarray, members: np.ndarray, fx: np.ndarray, fy: np.ndarray
) -> None:
    """Repulsion from the rest of a large component, through the centres of mass of a
    coarse grid: what keeps the cut-off version from folding a big graph onto itself."""
    px, py = x[members], y[members]
    span = max(float(np.ptp(px)), float(np.ptp(py))) + 1e-9
    cx = np.minimum(((px - px.min()) / span * FAR_GRID).astype(np.int64), FAR_GRID - 1)
    cy = np.minimum(((py - py.min()) / span * FAR_GRID).astype(np.int64), FAR_GRID - 1)
    cid = cx * FAR_GRID + cy
    cells = FAR_GRID * FAR_GRID
    mass = np.bincount(cid, minlength=cells).astype(np.float64)
    used = mass > 0
    mass = mass[used]
    gx = np.bincount(cid, weights=px, minlength=cells)[used] / mass
    gy = np.bincount(cid, weights=py, minlength=cells)[used] / mass
    dx = px[:, None] - gx[None, :]
    dy = py[:, None] - gy[None, :]
    weight = mass / (dx * dx + dy * dy + (span / FAR_GRID) ** 2)
    fx[members] += (dx * weight).sum(axis=1)
    fy[members] += (dy * weight).sum(axis=1)


def _pack(pos: np.ndarray, comp: np.ndarray, sizes: np.ndarray, anchored: np.ndarray) -> None:
    """Free components in rows, largest first, right of whatever is anchored."""
    count = len(sizes)
    lo = np.full((count, 2), np.inf)
    hi = np.full((count, 2), -np.inf)
    np.minimum.at(lo, comp, pos)
    np.maximum.at(hi, comp, pos)
    free = [c for c in range(count) if not anchored[c]]
    if not free:
        return
    boxes = hi - lo
    start_x = 0.0
    top = 0.0
    if anchored.any():
        start_x = float(hi[anchored, 0].max()) + GAP * 2
        top = float(lo[anchored, 1].min())
    order = sorted(free, key=lambda c: (-sizes[c], c))
    area = sum((boxes[c, 0] + GAP) * (boxes[c, 1] + GAP) for c in free)
    row_width = max(math.sqrt(area) * 1.3, float(boxes[order[0], 0]) + GAP)
    shift = np.zeros((count, 2))
    x, y, row_height = 0.0, top, 0.0
    for c in order:
        width, height = boxes[c] + GAP
        if x > 0 and x + width > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        shift[c] = (start_x + x - lo[c, 0], y - lo[c, 1])
        x += width
        row_height = max(row_height, height)
    moving = ~anchored[comp]
    pos[moving] += shift[comp[moving]]


# ------------------------------------------------------------------------------ cache
def _ensure_table(cur: object) -> None:
    cur.execute(  # type: ignore[attr-defined]
        f"CREATE TABLE IF NOT EXISTS {LAYOUTS} (run_id VARCHAR NOT NULL, "
        "profile_id VARCHAR NOT NULL, view VARCHAR NOT NULL, ref VARCHAR NOT NULL, "
        "x DOUBLE NOT NULL, y DOUBLE NOT NULL, PRIMARY KEY (run_id, profile_id, view, ref))"
    )


def cached_positions(
    project: Project, graph: ProfileGraph, view: str | None = None
) -> dict[str, tuple[float, float]]:
    """The stored positions of the graph's nodes (by record reference); {} if none.

    ``view`` reads another drawing of the same profile (default: the graph's own).
    """
    cur = project.cursor()
    try:
        exists = cur.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'identity' "
            "AND table_name = 'layouts'"
        ).fetchone()[0]
        if not exists:
            return {}
        rows = cur.execute(
            f"SELECT ref, x, y FROM {LAYOUTS} WHERE run_id = ? AND profile_id = ? AND view = ?",
            [graph.run_id, graph.profile_id, graph.layout_key if view is None else view],
        ).fetchall()
    finally:
        cur.close()
    wanted = {n.ref for n in graph.nodes}
    return {ref: (float(x), float(y)) for ref, x, y in rows if ref in wanted}


def graph_layout(
    project: Project, graph: ProfileGraph, task: Task | None = None, fresh: bool = False
) -> np.ndarray:
    """The graph's positions (one row per node): from the cache when every node is in it,
    otherwise laid out around the cached ones (or, for a drawing with neighbours or against
    another run, around the profile's own drawing) and stored for next time.

    ``fresh=True`` ignores and replaces the cache (a new arrangement).
    """
    task = task or null_task()
    cached = {} if fresh else cached_positions(project, graph)
    refs = [n.ref for n in graph.nodes]
    if graph.layout_key and not fresh and not all(r in cached for r in refs):
        # A first drawing with neighbours or against another run keeps the records where
        # the profile's own drawing has them, so the picture does not jump.
        plain = cached_positions(project, graph, view="")
        cached = {**plain, **cached}
    if refs and all(r in cached for r in refs):
        task.progress(1.0, "Graph arranged (kept layout)")
        return np.array([cached[r] for r in refs], dtype=np.float64)
    index = graph.index()
    fixed = {index[r]: xy for r, xy in cached.items()}
    edges = [e for e in graph.edges if e.kind == "match"] or graph.edges
    pos = force_layout(
        len(refs),
        np.array([e.a for e in edges], dtype=np.int64),
        np.array([e.b for e in edges], dtype=np.int64),
        np.array([0.5 + e.strength for e in edges]),
        fixed,
        task.sub(0.0, 0.9),
    )
    if not project.read_only:
        store_positions(project, graph, dict(zip(refs, map(tuple, pos), strict=True)), task, fresh)
    task.progress(1.0, "Graph arranged")
    return pos


def store_positions(
    project: Project,
    graph: ProfileGraph,
    positions: Mapping[str, tuple[float, float]],
    task: Task | None = None,
    replace: bool = False,
) -> None:
    """Keep node positions (a layout, or the nodes the user dragged) for the graph.

    ``replace=True`` first forgets every stored position of this drawing.
    """
    key = [graph.run_id, graph.profile_id, graph.layout_key]
    refs = list(positions)
    xs = [float(positions[r][0]) for r in refs]
    ys = [float(positions[r][1]) for r in refs]
    with project.transaction(task) as cur:
        _ensure_table(cur)
        if replace:
            cur.execute(
                f"DELETE FROM {LAYOUTS} WHERE run_id = ? AND profile_id = ? AND view = ?", key
            )
        if refs:
            cur.execute(
                f"INSERT OR REPLACE INTO {LAYOUTS} SELECT ?, ?, ?, unnest(?::VARCHAR[]), "
                "unnest(?::DOUBLE[]), unnest(?::DOUBLE[])",
                [*key, refs, xs, ys],
            )
