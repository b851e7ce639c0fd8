"""``python -m cssp``: the same as the ``cssp`` command."""

import sys

from cssp.cli import main

sys.exit(main())
