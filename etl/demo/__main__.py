"""``python -m etl.demo`` is the same command as ``python -m etl demo``."""
import sys

from etl.demo import main

sys.exit(main(sys.argv[1:]))
