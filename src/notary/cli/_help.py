"""How `--help` shows options and command lists.

typer 0.29's rich help prints the value type after every option, `<bool>` after flags
too (`--json <bool>`), which reads as if the flag wanted a value. Its plain help already
leaves flags bare; `install()` makes the rich help agree, for every command of the app.

Its list of a group's commands also keeps the line breaks of each docstring's first
paragraph, so a description broke mid-sentence ("They take effect" / "after the …"):
the list shows each first paragraph as one flowing line, wrapped to the terminal.
"""

from __future__ import annotations

import inspect
from typing import Any

from typer.core import TyperGroup, TyperOption

_plain = TyperOption.display_type_rich


def _display_type_rich(self: TyperOption, ctx: Any) -> str | None:
    if self.is_flag or self.count:
        return None
    return _plain(self, ctx)


_group_help = TyperGroup.format_help


def _flowing_command_help() -> None:
    """Patch typer's command-list text once it is loaded (help only: start-up never imports it)."""
    from typer import rich_utils

    plain = rich_utils._make_command_help
    if getattr(plain, "_flowing", False):
        return

    def flowing(*, help_text: str, markup_mode: Any) -> Any:
        first = inspect.cleandoc(help_text).split("\n\n")[0]
        return plain(help_text=" ".join(first.split()), markup_mode=markup_mode)

    flowing._flowing = True  # type: ignore[attr-defined]
    rich_utils._make_command_help = flowing


def _format_group_help(self: TyperGroup, ctx: Any, formatter: Any) -> None:
    _flowing_command_help()
    _group_help(self, ctx, formatter)


def install() -> None:
    """Show no type after flags in `--help`, and command lists as flowing lines (idempotent)."""
    TyperOption.display_type_rich = _display_type_rich  # type: ignore[method-assign]
    TyperGroup.format_help = _format_group_help  # type: ignore[method-assign]
