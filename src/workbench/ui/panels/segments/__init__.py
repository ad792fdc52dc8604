"""The Segments step: saved segments, the condition-tree builder with live counts, templates,
and the Compare, Overlap and Members pages."""
