"""The canonical tables (columns, rules), their pandera models, the output tables and the results of validation."""
