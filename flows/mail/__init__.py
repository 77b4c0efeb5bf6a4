"""Deliver: the managers' messages, SMTP with retries, the SMTP settings and the period's sent-log.

Reads a published period through the layout in flows.shared. May import: schemas, config, transforms,
templates, flows.shared.
"""
