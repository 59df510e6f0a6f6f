"""``python -m indexer.cli``: the ``vnsearch`` command."""

from indexer.cli.commands import main

if __name__ == "__main__":
    main()
