"""Desktop app benchmarks: cold start to a shown window, and browsing a 1,000,000-row table.

Prints its figures. Usage:

    python benchmarks/bench_ui.py                  # 1,000,000 rows
    python benchmarks/bench_ui.py --rows 200000 --starts 3

Cold start runs ``python -m workbench gui PROJECT --startup-time`` in a fresh process
(offscreen) and takes the wall time from launch until the app reports the window shown.
Browsing imports the generated profile CSV of ``bench_import.py`` once into
``benchmarks/data/ui_<rows>.wbproj``, then drives the real grid (DataBrowser) offscreen:
time to the first rows on screen, and the time of each page read while jumping through
the table, in file order and sorted.
Targets: window shown in under 2 s; a page of rows in under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workbench.project.browse import Sort

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
sys.path.insert(0, str(HERE))

from bench_import import make_csv  # noqa: E402

SORTS = {
    "tier": (Sort("tier"),),
    "email": (Sort("email"),),
    "random": (Sort("lifetime_value", descending=True), Sort("last_name")),
}
"""Sort keys from kind to hard: few values (ties keep file order, rows cluster), unique
values that follow the file a little, and an order unrelated to the file (worst case)."""


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def project_with_rows(rows: int) -> Path:
    """A project holding the generated profile CSV as source 'profiles' (built once)."""
    project = DATA / f"ui_{rows}.wbproj"
    if project.exists():
        return project
    csv = DATA / f"profiles_{rows}.csv"
    if not csv.exists():
        make_csv(rows, csv)
    building = project.with_name(f"ui_{rows}.building.wbproj")
    building.unlink(missing_ok=True)
    run = [sys.executable, "-m", "workbench"]
    subprocess.run([*run, "new", str(building)], check=True, capture_output=True)
    subprocess.run(
        [*run, "import", str(building), str(csv), "--kind", "profiles", "--name", "profiles"],
        check=True,
        capture_output=True,
    )
    building.rename(project)
    return project


def cold_start(project: Path | None, starts: int) -> list[float]:
    """Seconds from launching the app process until it reports the window shown."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    times = []
    with tempfile.TemporaryDirectory() as config:
        env["XDG_CONFIG_HOME"] = config  # do not touch the user's recent files
        for _ in range(starts):
            command = [sys.executable, "-m", "workbench", "gui", "--startup-time"]
            if project is not None:
                command.insert(4, str(project))
            started = time.perf_counter()
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.startswith("window shown"):
                    times.append(time.perf_counter() - started)
                    break
            proc.wait(timeout=60)
    return times


def browse(project_path: Path, jumps: int) -> dict[str, object]:
    """Drive the real grid over the table: first rows, random jumps, sorted jumps."""
    import random

    from PySide6.QtCore import QEvent, QEventLoop
    from PySide6.QtWidgets import QApplication

    from workbench.project import Project
    from workbench.project.browse import ViewSpec, open_view, source_ref
    from workbench.ui.browser.browser import DataBrowser
    from workbench.ui.task_runner import TaskRunner

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    project = Project.open(project_path, read_only=True)
    runner = TaskRunner()
    widget = DataBrowser(runner)
    widget.stats_button.setChecked(False)
    widget.resize(1280, 800)
    widget.show()
    app.processEvents()  # the benchmark's own first paint of an empty widget
    out: dict[str, object] = {}

    started = time.perf_counter()
    widget.set_table(project, source_ref(project, "profiles"))
    widget.grid.viewport().repaint()  # paints the first screen: reads its page
    out["first_rows"] = time.perf_counter() - started
    model = widget.model
    total = model.rowCount()
    out["rows"] = total

    rng = random.Random(7)

    def jump_all(label: str) -> None:
        """Jump to random rows; time the repaint (the GUI thread's share) and, separately,
        each page read (on the GUI thread in file order, on the worker when sorted)."""
        model.fetch_seconds = []
        steps = []
        for _ in range(jumps):
            row = rng.randrange(total)
            t0 = time.perf_counter()
            widget.grid.scrollTo(model.index(row, 0))
            widget.grid.viewport().repaint()
            steps.append(time.perf_counter() - t0)
            loop = QEventLoop()
            while model.fetcher.pending():
                loop.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        out[f"{label}_fetch"] = list(model.fetch_seconds)
        out[f"{label}_jump"] = steps

    jump_all("natural")
    t0 = time.perf_counter()
    for _ in range(200):  # a user holding Page Down
        widget.grid.verticalScrollBar().triggerAction(
            widget.grid.verticalScrollBar().SliderAction.SliderPageStepAdd
        )
        widget.grid.viewport().repaint()
    out["page_down"] = (time.perf_counter() - t0) / 200

    for label, sort in SORTS.items():
        t0 = time.perf_counter()
        view = open_view(project, source_ref(project, "profiles"), ViewSpec(sort=sort))
        out[f"sort_{label}"] = time.perf_counter() - t0
        model.set_view(project, view)
        jump_all(f"sorted_{label}")
    t0 = time.perf_counter()
    filtered = open_view(project, source_ref(project, "profiles"), ViewSpec(filter_text="nguyen"))
    out["filter"] = time.perf_counter() - t0
    out["filter_rows"] = filtered.total
    widget.clear()
    runner.cancel_all()
    project.close()
    widget.close()
    widget.deleteLater()
    runner.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return out


def _summary(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return (
        f"median {_ms(statistics.median(values))}, p95 {_ms(p95)}, max {_ms(values[-1])} "
        f"(n={len(values)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--starts", type=int, default=5, help="cold starts to time")
    parser.add_argument("--jumps", type=int, default=200, help="random scroll positions")
    args = parser.parse_args()

    print(
        f"machine: {platform.machine()}, {platform.system()}, {os.cpu_count()} CPUs, "
        f"python {platform.python_version()}"
    )
    started = time.perf_counter()
    project = project_with_rows(args.rows)
    print(
        f"data: {project.name}, {args.rows:,} rows (ready in {time.perf_counter() - started:.1f} s)"
    )

    welcome = cold_start(None, args.starts)
    loaded = cold_start(project, args.starts)
    print(
        f"cold start to shown window, welcome screen: median {statistics.median(welcome):.2f} s, "
        f"max {max(welcome):.2f} s  (target < 2 s)"
    )
    print(
        f"cold start to shown window, {args.rows:,}-row project on the Data step: "
        f"median {statistics.median(loaded):.2f} s, max {max(loaded):.2f} s  (target < 2 s)"
    )

    from PySide6.QtWidgets import QApplication

    app = QApplication([])  # lives until the end of main, after every widget
    figures = browse(project, args.jumps)
    print(f"grid: {figures['rows']:,} rows")
    print(f"time to first rows on screen: {_ms(figures['first_rows'])}")
    print(
        f"page read (256 rows), file order, random jumps: {_summary(figures['natural_fetch'])}"
        "  (target < 50 ms)"
    )
    print(f"scroll + repaint per random jump, file order: {_summary(figures['natural_jump'])}")
    print(f"scroll + repaint per Page Down: {_ms(figures['page_down'])}")
    for label, sort in SORTS.items():
        keys = ", ".join(f"{k.column}{' desc' if k.descending else ''}" for k in sort)
        print(f"sort by {keys} (a job, off the GUI thread): {_ms(figures[f'sort_{label}'])}")
        print(
            f"  page read (256 rows), random jumps: {_summary(figures[f'sorted_{label}_fetch'])}"
            "  (target < 50 ms)"
        )
        print(f"  scroll + repaint per jump: {_summary(figures[f'sorted_{label}_jump'])}")
    print(
        f"quick filter 'nguyen' over every column (a job): {_ms(figures['filter'])} "
        f"-> {figures['filter_rows']:,} rows"
    )
    app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
