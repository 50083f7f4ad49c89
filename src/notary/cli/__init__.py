"""The `notary` command line: thin commands over the use cases.

One file per command group; `app.main` is the one place that turns a `NotaryError`
into a message and an exit code (see `exit_codes`).
"""
