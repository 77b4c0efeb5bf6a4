"""The canonical tables' schemas, their row rules and the quarantine split."""
