"""``python -m segspatial.cli``."""

import sys

from segspatial.cli import main

if __name__ == "__main__":
    sys.exit(main())
