"""Publish: the staging folder, the period lock, the atomic swap, the output tables and the manifest.

May import: schemas, config, flows.shared.
"""
