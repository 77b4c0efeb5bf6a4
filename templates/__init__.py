"""Presentation only: jinja2 templates for the cards (shipped as package data)."""
