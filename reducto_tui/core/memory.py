"""Keep the garbage collector from stalling the UI once many jobs are loaded.

Python's full collections walk every tracked object; with 100,000 loaded jobs one walk takes
~80 ms, long enough to freeze the UI in the middle of scrolling. Loaded rows live until the
app ends, so they are moved out of the collector's view (``gc.freeze``) once loaded.

Garbage is collected first: freezing moves *everything* tracked to the permanent generation,
so a page's leftover parse objects frozen with it would never be freed (measured: 201k of
379k frozen objects were garbage when freezing after every page without collecting).
"""

from __future__ import annotations

import gc


def keep_loaded_jobs_out_of_gc() -> None:
    # Frozen objects are not walked, so this collects only what arrived since the last call.
    gc.collect()
    gc.freeze()


def let_frozen_cycles_go() -> None:
    """Something big was closed (a job's detail): let the collector see frozen objects again.

    Whatever was frozen while it was open (its widgets and tree nodes are cycles) could
    otherwise never be freed. The next :func:`keep_loaded_jobs_out_of_gc` collects before it
    freezes again, so the loaded jobs are frozen again then, and the closed view is freed.
    """
    gc.unfreeze()
