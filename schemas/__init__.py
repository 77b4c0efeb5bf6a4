"""The canonical tables (columns, rules), the pandera schemas made from them, the output tables, validation results."""
