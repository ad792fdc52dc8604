"""Identity graph benchmark: layout, first draw and pan/zoom redraws of a large graph.

Prints its figures. Usage:

    python benchmarks/bench_graph.py                       # 2,000 nodes, 6,000 edges
    python benchmarks/bench_graph.py --nodes 500 --edges 1500 --steps 30

Builds a synthetic identity graph (no project needed): records from 8 sources in 40
communities joined by a spanning tree plus extra edges, mostly inside a community, with
several edge groups, a few weak bridges, labels, and added/removed edges, as the graph page
would get them. Then, offscreen at 1200 x 800: the force layout's time (engine, numpy), the
time to first draw (set the data and paint the view once), and the time per redraw while
panning and zooming (change the ViewBox range and force a repaint), median and p95 over
``--steps`` steps, with the whole graph in view and zoomed in far enough for text labels.
Targets (issue 5): first draw under 200 ms, redraw under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from workbench.identity.graph import (
    ADDED,
    REMOVED,
    GraphEdge,
    GraphNode,
    PairLabel,
    ProfileGraph,
)
from workbench.identity.layout import force_layout

SOURCES = (
    "crm_customers",
    "ecommerce_accounts",
    "email_subscribers",
    "app_installs",
    "loyalty",
    "support_tickets",
    "pos_receipts",
    "web_accounts",
)
GROUPS = ("field:email", "field:phone", "field:customer_id", "rule:name and dob", "field:device_id")


def synthetic_graph(nodes: int, edges: int, seed: int = 7) -> ProfileGraph:
    """A connected graph with community structure and the marks the page draws."""
    rng = np.random.default_rng(seed)
    community = rng.integers(0, 40, nodes)
    pairs: set[tuple[int, int]] = set()
    for i in range(1, nodes):
        pairs.add((int(rng.integers(0, i)), i))
    members = [np.flatnonzero(community == c) for c in range(40)]
    while len(pairs) < edges:
        i = int(rng.integers(0, nodes))
        same = members[community[i]]
        j = int(rng.choice(same)) if rng.random() < 0.9 else int(rng.integers(0, nodes))
        if i != j:
            pairs.add((min(i, j), max(i, j)))
    graph_nodes = [
        GraphNode(
            f"{SOURCES[i % len(SOURCES)]}:{i}",
            SOURCES[i % len(SOURCES)],
            str(i),
            i,
            "P1",
            values={"email": f"person{community[i]}.{i}@example.com", "first_name": "ann"},
            label=f"person{community[i]}.{i}@example.com",
            title=f"Person {i}",
        )
        for i in range(nodes)
    ]
    graph_edges = []
    for k, (a, b) in enumerate(sorted(pairs)):
        score = float(rng.uniform(4, 30))
        graph_edges.append(
            GraphEdge(
                a,
                b,
                "run-b",
                score=score,
                probability=1 / (1 + 2**-score),
                rule="probabilistic",
                group=GROUPS[k % len(GROUPS)],
                strength=min(score / 24, 1.0),
                status=ADDED if k % 97 == 0 else REMOVED if k % 89 == 0 else "same",
                bridge=k % 53 == 0,
                weak=k % 53 == 0,
            )
        )
    labels = [
        PairLabel(e.a, e.b, ("same", "different", "unsure")[k % 3])
        for k, e in enumerate(graph_edges[::150])
    ]
    return ProfileGraph(
        "run-b",
        "P1",
        "run-a",
        graph_nodes,
        graph_edges,
        labels,
        sorted(SOURCES),
        list(GROUPS),
        group_titles={g: g for g in GROUPS},
    )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {_ms(statistics.median(times))}, p95 {_ms(p95)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--edges", type=int, default=6000)
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    from workbench.ui.panels.identity.graph_view import GraphView
    from workbench.ui.theme import ThemeManager

    graph = synthetic_graph(args.nodes, args.edges)
    a = np.array([e.a for e in graph.edges])
    b = np.array([e.b for e in graph.edges])
    strength = np.array([0.5 + e.strength for e in graph.edges])
    layouts, layout_cpu = [], []
    for _ in range(3):
        started, cpu = time.perf_counter(), time.process_time()
        pos = force_layout(len(graph.nodes), a, b, strength)
        layouts.append(time.perf_counter() - started)
        layout_cpu.append(time.process_time() - cpu)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    ThemeManager(app, "light").apply()
    view = GraphView()
    view.resize(1200, 800)
    view.show()
    app.processEvents()

    started, cpu = time.perf_counter(), time.process_time()
    view.set_graph(graph, pos)
    view.canvas.viewport().repaint()
    first_draw = time.perf_counter() - started
    first_draw_cpu = time.process_time() - cpu
    started = time.perf_counter()
    view.canvas.grab()
    grab = time.perf_counter() - started

    def redraws(zoom: float) -> tuple[list[float], list[float]]:
        view.fit()
        app.processEvents()
        (x0, x1), (y0, y1) = view.box.viewRange()
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        half_w, half_h = (x1 - x0) / 2 * zoom, (y1 - y0) / 2 * zoom
        times, cpu_times = [], []
        for step in range(args.steps):
            # Alternate pans and small zooms, as a user drags and scrolls.
            shift = (step % 10 - 5) * half_w * 0.04
            scale = 1.0 + 0.03 * ((step // 10) % 2) * (1 if step % 2 else -1)
            started, cpu = time.perf_counter(), time.process_time()
            view.box.setRange(
                xRange=(cx + shift - half_w * scale, cx + shift + half_w * scale),
                yRange=(cy - half_h * scale, cy + half_h * scale),
                padding=0,
            )
            view._update_texts()  # what the debounced label refresh does after a move
            view.canvas.viewport().repaint()
            times.append(time.perf_counter() - started)
            cpu_times.append(time.process_time() - cpu)
        return times, cpu_times

    whole, whole_cpu = redraws(1.0)
    zoomed, zoomed_cpu = redraws(0.05)
    shown_texts = sum(1 for t in view._texts if t.isVisible())

    print(
        f"Identity graph: {len(graph.nodes):,} nodes, {len(graph.edges):,} edges "
        f"({len(view._curves)} edge items, offscreen 1200x800)"
    )
    print(
        f"machine: {platform.machine()} {platform.system()}, nproc {os.cpu_count()}, "
        f"Python {platform.python_version()}"
    )
    print(f"load average {os.getloadavg()[0]:.1f} (wall times include waiting for a CPU)")
    print(f"layout (force-directed, numpy):  {_summary(layouts)} wall, {_summary(layout_cpu)} CPU")
    print(
        f"time to first draw:              {_ms(first_draw)} wall, {_ms(first_draw_cpu)} CPU "
        "(target < 200 ms)"
    )
    print(f"full render to pixmap (grab):    {_ms(grab)}")
    print(
        f"pan/zoom redraw, whole graph:    {_summary(whole)} wall, {_summary(whole_cpu)} CPU, "
        f"{len(whole)} steps (target < 50 ms)"
    )
    print(
        f"pan/zoom redraw, zoomed in:      {_summary(zoomed)} wall, {_summary(zoomed_cpu)} CPU "
        f"({shown_texts} text labels)"
    )
    view.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
