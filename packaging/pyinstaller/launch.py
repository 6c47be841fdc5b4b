"""The frozen app's entry point: one executable is the app, the headless commands and, when
started with ``--rater-audio-engine``, the audio engine process (a frozen app has no
``python -m``)."""

import sys

from rater.audio.engine import maybe_run_engine

maybe_run_engine()

from rater.__main__ import main  # noqa: E402  (after the engine check: it imports much more)

sys.exit(main())
