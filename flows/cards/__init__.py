"""Render: what each rep card and team rollup shows (view models), written as HTML and Excel workbooks.

May import: schemas, config, transforms, templates, flows.shared.
"""
