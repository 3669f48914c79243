"""``python -m loaders``: the command line."""

from loaders.cli import main

main()
