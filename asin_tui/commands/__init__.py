"""CLI subcommands. Each module: add_parser(subparsers) and run(args) -> exit code."""
