"""Rendering of analysis results: heatmaps, offline web maps, posters, room tables, the PDF report
and the crisis kit.

This package reads :mod:`survey` results and never writes to the store. Functions that return
bytes or strings do no file I/O, so the HTTP API can serve them directly.
"""
