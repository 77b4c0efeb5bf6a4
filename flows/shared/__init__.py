"""Helpers every stage room uses: named errors, safe file names and the period folder's layout, display formats,
languages (gettext catalogues, Babel locales) and text made inert for spreadsheets.

May import: schemas, config, transforms. Never a stage room or the orchestration.
"""
