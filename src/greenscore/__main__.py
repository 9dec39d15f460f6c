"""python -m greenscore: the greenscore command."""

import sys

from greenscore.cli import main

sys.exit(main())
