"""How `--help` shows options: flags take no value, so they show no type.

typer 0.29's rich help prints the value type after every option, `<bool>` after flags
too (`--json <bool>`), which reads as if the flag wanted a value. Its plain help already
leaves flags bare; `install()` makes the rich help agree, for every command of the app.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperOption

_plain = TyperOption.display_type_rich


def _display_type_rich(self: TyperOption, ctx: Any) -> str | None:
    if self.is_flag or self.count:
        return None
    return _plain(self, ctx)


def install() -> None:
    """Show no type after flags in `--help` (idempotent)."""
    TyperOption.display_type_rich = _display_type_rich  # type: ignore[method-assign]
