"""One module per subcommand: ``configure(parser)`` adds its arguments,
``run(args) -> int`` does the work. Registered in ``tuireader.cli.SUBCOMMANDS``."""

from typing import Any


def json_for_terminal(data: Any) -> str:
    """``data`` as indented JSON, the same data, safe to print (``sanitize.json_text``)."""
    from tuireader.text.sanitize import json_text

    return json_text(data)
