"""Allow ``python -m workbench`` (same as the ``workbench`` command)."""

from workbench.launcher import main

raise SystemExit(main())
