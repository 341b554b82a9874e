"""Benchmarks of zoneblanche: each module ``bench/<name>.py`` runs with ``python -m bench.<name>``.

``python -m bench`` runs every module of this package that defines ``main()``; the results
and the machine they were measured on go to ``docs/benchmarks.md``.
"""
