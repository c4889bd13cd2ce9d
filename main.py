"""Funnelcast's entry point: no command opens the window; commands run headless.

See ``python main.py --help`` and README.md.
"""

import sys

from cli.main import main

if __name__ == "__main__":
    sys.exit(main())
