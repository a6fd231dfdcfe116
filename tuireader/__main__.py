import sys

from tuireader.cli import main

sys.exit(main())
