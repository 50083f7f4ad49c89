"""Option values converted without pydantic convert exactly as typer's own (pydantic) adapter converts them.

`notary.cli._coerce` skips typer's TypeAdapter for unset values, plain strings, paths that `Path` keeps
as written and ints given as ints; each case here is converted both ways and must agree (the value, or
the error message), and the shortcut must really leave pydantic's adapter unbuilt.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
from typer import _click
from typer._coercion import build_runtime_param
from typer.core import TyperCommand, _TyperParameter

from notary.cli import _coerce

_coerce.install()


def _options(tmp_path: Path) -> dict[str, _TyperParameter]:
    app = typer.Typer()

    @app.command()
    def cmd(
        text: Annotated[str | None, typer.Option()] = None,
        path: Annotated[Path | None, typer.Option()] = None,
        file: Annotated[Path | None, typer.Option(dir_okay=False)] = None,
        folder: Annotated[Path | None, typer.Option(file_okay=False, exists=True)] = None,
        count: Annotated[int, typer.Option()] = 3,
        ranged: Annotated[int, typer.Option(min=1)] = 5,
        many: Annotated[list[Path] | None, typer.Option()] = None,
    ) -> None:
        pass

    command = typer.main.get_command(app)
    return {p.name: p for p in command.params if isinstance(p, _TyperParameter) and p.name}


def _convert(runtime: Any, param: _TyperParameter, value: Any, ctx: _click.Context) -> tuple[str, Any]:
    try:
        return "value", runtime.coerce(value, param=param, ctx=ctx)
    except _click.exceptions.BadParameter as exc:
        return "error", exc.format_message()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("text", None), ("text", "FRA"), ("text", ""), ("text", " spaced "),
        ("path", None), ("path", "a/b.json"), ("path", "a/./b"), ("path", ""), ("path", "./x"), ("path", "-"),
        ("file", "FOLDER"), ("file", "a.json"), ("folder", "FILE"), ("folder", "missing"), ("folder", "FOLDER"),
        ("count", 3), ("count", "7"), ("count", "x"), ("ranged", 5), ("ranged", "0"),
        ("many", None), ("many", ("a", "b/./c")),
    ],
)  # fmt: skip
def test_each_value_converts_as_typer_s_adapter_converts_it(tmp_path: Path, name: str, value: Any) -> None:
    """Same result (type and value) or the same error message, with and without the shortcut."""
    (tmp_path / "FOLDER").mkdir()
    (tmp_path / "FILE").write_text("x")
    if isinstance(value, str) and value in ("FOLDER", "FILE"):
        value = str(tmp_path / value)
    param = _options(tmp_path)[name]
    ctx = _click.Context(TyperCommand("cmd"))
    fast = _convert(param.get_runtime_param(), param, value, ctx)
    typer_s = _convert(build_runtime_param(param.type_descriptor), param, value, ctx)
    assert fast == typer_s
    assert type(fast[1]) is type(typer_s[1])


def test_plain_values_build_no_adapter(tmp_path: Path) -> None:
    """An unset option, a string, a path as written and an int default leave typer's adapter unbuilt."""
    params = _options(tmp_path)
    ctx = _click.Context(TyperCommand("cmd"))
    for name, value in (("text", "FRA"), ("path", "a/b.json"), ("path", None), ("count", 3)):
        runtime = params[name].get_runtime_param()
        runtime.coerce(value, param=params[name], ctx=ctx)
        assert isinstance(runtime, _coerce._Deferred) and not runtime._built, name
    runtime = params["count"].get_runtime_param()
    assert runtime.coerce("7", param=params["count"], ctx=ctx) == 7 and runtime._built  # a string to parse: typer's
