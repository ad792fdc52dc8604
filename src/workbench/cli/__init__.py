"""The ``workbench`` command line: every engine job, scriptable, without a screen."""
