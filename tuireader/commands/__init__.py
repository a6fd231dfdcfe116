"""One module per subcommand: ``configure(parser)`` adds its arguments,
``run(args) -> int`` does the work. Registered in ``tuireader.cli.SUBCOMMANDS``."""
