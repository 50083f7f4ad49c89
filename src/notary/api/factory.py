"""The app of one worker of `notary serve --workers N`, built from the environment (uvicorn's factory).

uvicorn starts N worker processes that each import this module and call `app_from_env()`: the
settings come from NOTARY_* variables (`notary serve` exports its command-line choices before it
starts them). Workers read the index and never follow the chain themselves
(NOTARY_INDEX_FOLLOW=false): `notary serve` runs the one background indexer in its own process.
"""

from __future__ import annotations

from fastapi import FastAPI


def app_from_env() -> FastAPI:
    from notary.api import ApiSettings, allocator, create_app

    allocator.tune()  # each worker is a process of its own

    return create_app(ApiSettings.from_env())
