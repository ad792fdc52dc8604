"""The Data step: sources, the import preview with undoable role/type edits, rejects."""
