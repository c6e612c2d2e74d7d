"""Keep the garbage collector from stalling the UI once many jobs are loaded.

Python's full collections walk every tracked object; with 100,000 loaded jobs one walk takes
~80 ms, long enough to freeze the UI in the middle of scrolling. Loaded rows live until the
app ends, so after each page they are moved out of the collector's view (``gc.freeze``).
"""

from __future__ import annotations

import gc


def keep_loaded_jobs_out_of_gc() -> None:
    gc.freeze()
