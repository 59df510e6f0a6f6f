"""``python -m bench``: see :mod:`bench.suite`."""

import sys

from .suite import main

sys.exit(main())
