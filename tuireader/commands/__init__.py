"""One module per subcommand: ``configure(parser)`` adds its arguments,
``run(args) -> int`` does the work. Registered in ``tuireader.cli.SUBCOMMANDS``."""

from typing import Any


def json_for_terminal(data: Any) -> str:
    """``data`` as indented JSON with Chinese kept readable, and the characters that are
    valid in JSON strings yet act on a terminal (C1 controls, bidi overrides, line
    separators) written as ``\\uXXXX`` escapes: the same data, safe to print."""
    import json

    from tuireader.text.sanitize import TERMINAL_UNSAFE_RE

    text = json.dumps(data, ensure_ascii=False, indent=2)
    return TERMINAL_UNSAFE_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
