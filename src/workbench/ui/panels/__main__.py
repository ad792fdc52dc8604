"""``python -m workbench.ui.panels STEP [PROJECT]``: one step's panel on its own."""

from workbench.ui.panels.standalone import run

raise SystemExit(run())
