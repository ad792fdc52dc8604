"""``python -m workbench.ui.panels.data [PROJECT]``: the Data panel on its own."""

from workbench.ui.panels.standalone import run

raise SystemExit(run("data"))
