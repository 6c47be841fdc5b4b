"""`python -m rater.cli`: the headless commands only."""

import sys

from rater.cli import main

sys.exit(main())
