"""Domain core of zoneblanche: models, parsers, placement, analysis and the simulator.

This package never imports ``api`` or ``maps``.
"""

__version__ = "0.1.0"
