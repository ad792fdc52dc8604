"""Step panels (Data, Identity, ...), built from a registry so the main window stays small."""
