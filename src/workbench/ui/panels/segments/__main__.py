"""``python -m workbench.ui.panels.segments [PROJECT]``: the Segments panel on its own."""

from workbench.ui.panels.standalone import run

raise SystemExit(run("segments"))
