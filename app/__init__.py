"""Funnelcast's domain logic and use cases. Pure Python: never imports Qt.

Everything the GUI and the command line can do is a function here; plain dataclasses cross
from here to ``ui/``, Peewee model instances never do.
"""
