"""Placeholder until this module lands."""
routes: list = []
