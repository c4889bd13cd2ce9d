"""Packaged resources: templates, icons. Read with :func:`importlib.resources.files`."""
