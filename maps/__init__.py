"""Rendering of analysis results: heatmaps, offline web maps, room tables and the PDF report.

This package reads :mod:`survey` results and never writes to the store. Functions that return
bytes or strings do no file I/O, so the HTTP API can serve them directly.
"""
