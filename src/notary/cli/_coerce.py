"""How option values are converted: without pydantic for the values that need none.

typer 0.29 converts every parameter value through a pydantic `TypeAdapter`, built when the
parameter is first processed, even an option left unset (None) or a plain string: importing
pydantic alone costs a fast command (`notary verify --receipt R --offline`, `notary status
--help`) about 0.1 s of CPU. `install()` defers that: an unset value, a `str` given as a string,
a `Path` given as a string that `Path` keeps unchanged and an `int` given as an int convert
exactly as typer's adapter would (None, the same string, `Path(value)`, the same int), and
every other value still goes through typer's own adapter, built at its first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typer._click import Context
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer._param_types import coerce_cli_path
from typer.core import _TyperParameter


@dataclass(frozen=True)
class _Deferred(RuntimeParam):
    """typer's conversion of one parameter, with pydantic's adapter built only if a value needs it."""

    descriptor: TypeDescriptor
    _built: list[RuntimeParam] = field(default_factory=list, compare=False, repr=False)

    def _real(self) -> RuntimeParam:
        if not self._built:
            self._built.append(build_runtime_param(self.descriptor))
        return self._built[0]

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        info = self.parameter_info
        plain = info.parser is None and self.descriptor.file_annotation is None
        if plain and type(value) is str:
            if self.annotation is str:
                return value  # typer: str(value)
            if self.annotation is Path and info.path_type is None and str(path := Path(value)) == value:
                # typer: pydantic's Path(value), then these checks (exists, file_okay, …) on it
                return coerce_cli_path(path, info, path_type=Path, param=param, ctx=ctx)
        if plain and self.annotation is int and type(value) is int and info.min is None and info.max is None:
            return value  # a default, already an int
        return self._real()._coerce_value(value, param=param, ctx=ctx)


def _get_runtime_param(self: _TyperParameter) -> RuntimeParam:
    if self._runtime_param is None:
        d = self.type_descriptor
        self._runtime_param = _Deferred(parameter_info=d.parameter_info, annotation=d.annotation, descriptor=d)
    return self._runtime_param


def install() -> None:
    """Convert plain option values without pydantic (idempotent)."""
    _TyperParameter.get_runtime_param = _get_runtime_param  # type: ignore[method-assign]
