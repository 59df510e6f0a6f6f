"""The ``vnsearch`` command: parse options, call :mod:`indexer`, print.

:mod:`.commands` is the click group; :mod:`.clitools` its option types and
signal handling; :mod:`.render` and :mod:`.progress` the terminal output;
:mod:`.evaluation` the ranking metrics behind ``vnsearch eval``.
``python -m indexer.cli`` runs it too.
"""
