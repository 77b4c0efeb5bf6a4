"""Validate: check each raw table against its rules and pandera schema; set failing rows aside with a reason.

Hands on the validated tables and the report (schemas.results). May import: schemas, config, flows.shared.
"""
