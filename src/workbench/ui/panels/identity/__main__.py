"""``python -m workbench.ui.panels.identity [PROJECT]``: the Identity panel on its own."""

from workbench.ui.panels.standalone import run

raise SystemExit(run("identity"))
