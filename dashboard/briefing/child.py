"""``python -m dashboard.briefing.child``: one briefing for /briefing.zip, in a process of its
own (routes.make). Reads a pickle ``(db, settings, out, kwargs)`` on stdin, builds into
``out`` and prints ``{"empty": null}`` or, for a week without data, ``{"empty": "<span>"}``.
Any other failure is a traceback on stderr and exit 1.

A child started by command, not multiprocessing's spawn: spawn re-imports the server's main
module, which need not be safe to import twice (a script without a ``__main__`` guard)."""
from __future__ import annotations

import json
import pickle
import sys


def main() -> int:
    from dashboard.briefing.build import build
    from dashboard.briefing.compose import EmptyWeek

    db, settings, out, kw = pickle.loads(sys.stdin.buffer.read())
    try:
        build(db, settings, out, progress=False, **kw)
    except EmptyWeek as exc:
        print(json.dumps({"empty": exc.span_text}))
        return 0
    print(json.dumps({"empty": None}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
