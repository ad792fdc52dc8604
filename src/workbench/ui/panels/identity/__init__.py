"""The Identity step: matching rules, run results, profiles, the identity graph, clerical
review and run comparison."""
