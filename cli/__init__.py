"""The headless command line: ``python main.py [--db PATH_OR_URL] [--as NAME] COMMAND``.

A front end like ``ui/``: it parses arguments, calls ``app`` services and prints. Exit codes:
0 done, 1 the input was rejected (nothing changed), 2 usage or file error.
"""
