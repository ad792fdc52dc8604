"""The data browser: a paged grid over any project table, with sort, filter and statistics."""
