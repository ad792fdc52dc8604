"""Build a project from a generated sample, and the ready-to-open demo project."""

from __future__ import annotations

import shutil
from pathlib import Path

from workbench.identity.pipeline import resolve
from workbench.ingest import ImportOptions, import_file
from workbench.project import Project
from workbench.sample.generator import generate
from workbench.sample.manifest import SampleManifest
from workbench.tasks import Task, null_task

DEMO_PEOPLE = 5000
DEMO_SEED = 7
DEMO_NAME = "retail_demo.wbproj"
DEMO_VERSION = "2"
"""Bumped when the demo should be rebuilt (new data in it); kept in a file beside it."""


def build_project(
    project_path: Path,
    data_dir: Path,
    manifest: SampleManifest,
    task: Task | None = None,
    resolve_identities: bool = False,
) -> Path:
    """Import every file of ``manifest`` into a new project, written atomically; with
    ``resolve_identities``, also run ``--auto`` identity resolution on it."""
    task = task or null_task()
    project_path = Path(project_path)
    if project_path.exists():
        raise FileExistsError(f"{project_path} already exists")
    building = project_path.with_name(project_path.name + ".building")
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)
    project = Project.create(building, name="Retail demo")
    try:
        count = len(manifest.sources) + int(resolve_identities)
        for i, source in enumerate(manifest.sources):
            roles = {c: r for c, r in source.roles.items() if r not in ("attribute", "property")}
            options = ImportOptions(
                kind=source.kind, name=source.name, roles=roles, event_type=source.event_type
            )
            import_file(
                project, Path(data_dir) / source.file, options, task.sub(i / count, (i + 1) / count)
            )
        if resolve_identities:
            resolve(project, task=task.sub((count - 1) / count, 1.0))
            save_template_segments(project)
    except BaseException:
        project.close()
        building.unlink(missing_ok=True)
        raise
    project.close()
    building.rename(project_path)
    return project_path


def save_template_segments(project: Project) -> list[str]:
    """Save every segment template that fits the project's data and has members, so a
    demo opens with segments to count, compare and overlap."""
    from workbench.segments.catalog import load_catalog  # noqa: PLC0415
    from workbench.segments.evaluate import count_segment  # noqa: PLC0415
    from workbench.segments.store import save_segment  # noqa: PLC0415
    from workbench.segments.templates import (  # noqa: PLC0415
        TEMPLATES,
        template_problem,
        template_segment,
    )

    catalog = load_catalog(project)
    saved = []
    for template in TEMPLATES:
        if template_problem(template.key, catalog) is not None:
            continue
        segment = template_segment(template.key, catalog)
        if count_segment(project, segment).members:
            save_segment(project, segment)
            saved.append(segment.name)
    return saved


def default_demo_dir() -> Path:
    """``sample_projects/`` of a source checkout, else a per-user data folder."""
    checkout = Path(__file__).resolve().parents[3] / "sample_projects"
    if checkout.is_dir():
        return checkout
    return Path.home() / ".local" / "share" / "workbench" / "sample_projects"


def ensure_demo_project(
    path: Path | None = None, rebuild: bool = False, task: Task | None = None
) -> Path:
    """The demo project, generated, imported and resolved (``--auto``) on first use, with
    the segment templates that fit it saved, so it opens with unified profiles, linked
    events and segments."""
    task = task or null_task()
    target = Path(path) if path is not None else default_demo_dir() / DEMO_NAME
    if target.is_dir():
        target = target / DEMO_NAME
    stamp = target.with_name(target.name + ".version")
    # A demo built by an older version (stamp differs; no stamp in the default place) is
    # rebuilt; a file given by path without a stamp is not ours to replace.
    if stamp.is_file():
        stale = stamp.read_text(encoding="utf-8").strip() != DEMO_VERSION
    else:
        stale = path is None
    if target.exists() and not rebuild and not stale:
        return target
    rebuild = rebuild or target.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    data_dir = target.with_name(target.stem + "_data")
    if rebuild:
        target.unlink(missing_ok=True)
        target.with_name(target.name + ".wal").unlink(missing_ok=True)
        shutil.rmtree(data_dir, ignore_errors=True)
    manifest = generate(data_dir, DEMO_PEOPLE, seed=DEMO_SEED, task=task.sub(0.0, 0.3))
    build_project(target, data_dir, manifest, task.sub(0.3, 1.0), resolve_identities=True)
    stamp.write_text(DEMO_VERSION + "\n", encoding="utf-8")
    return target
