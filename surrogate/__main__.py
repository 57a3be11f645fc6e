"""`python -m surrogate`."""

import sys

from .cli import main

sys.exit(main())
