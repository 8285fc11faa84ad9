"""Vehicle parameters as the services and the UI see them: a name, a typed value, and where it sits in the list.

The type travels with every value because the autopilot stores each parameter in one of MAVLink's ten types
(``MAV_PARAM_TYPE``): writing a float into an integer parameter is refused or truncated by the vehicle, and a
file from Mission Planner carries no types at all, so ``type`` and ``index`` may be unknown (``None``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import IntEnum


class ParamType(IntEnum):
    """``MAV_PARAM_TYPE``, with MAVLink's numbers (QGroundControl's parameter files write them too)."""

    UINT8 = 1
    INT8 = 2
    UINT16 = 3
    INT16 = 4
    UINT32 = 5
    INT32 = 6
    UINT64 = 7
    INT64 = 8
    REAL32 = 9
    REAL64 = 10

    @property
    def is_integer(self) -> bool:
        return self not in (ParamType.REAL32, ParamType.REAL64)

    @property
    def bounds(self) -> tuple[int, int]:
        """The smallest and largest value an integer type holds (raises for the real types)."""
        if not self.is_integer:
            raise ValueError(f"{self.name} is not an integer type")
        return _BOUNDS[self]


_BOUNDS: dict[ParamType, tuple[int, int]] = {
    ParamType.UINT8: (0, 2**8 - 1),
    ParamType.INT8: (-(2**7), 2**7 - 1),
    ParamType.UINT16: (0, 2**16 - 1),
    ParamType.INT16: (-(2**15), 2**15 - 1),
    ParamType.UINT32: (0, 2**32 - 1),
    ParamType.INT32: (-(2**31), 2**31 - 1),
    ParamType.UINT64: (0, 2**64 - 1),
    ParamType.INT64: (-(2**63), 2**63 - 1),
}

MAX_NAME_LENGTH = 16
"""MAVLink's ``param_id`` is 16 characters, with no terminator when all are used."""


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter; ``index`` is its place in the vehicle's list (``None`` when read from a file)."""

    name: str
    value: float | int
    type: ParamType | None = None
    index: int | None = None


def values_equal(a: float | int, b: float | int) -> bool:
    """Whether two parameter values are the same setting.

    Integers compare exactly. Reals compare to float32 precision, because that is all the vehicle stores: a file
    saying ``0.1`` and the vehicle's ``0.10000000149`` are the same value and must not show up in a diff.
    """
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    fa, fb = float(a), float(b)
    if math.isnan(fa) or math.isnan(fb):
        return math.isnan(fa) and math.isnan(fb)
    return math.isclose(fa, fb, rel_tol=2e-7, abs_tol=1e-12)


@dataclass(frozen=True, slots=True)
class ParamSet(Mapping[str, Parameter]):
    """An immutable set of parameters keyed by name, in the order they were given."""

    params: tuple[Parameter, ...] = ()
    _by_name: dict[str, Parameter] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {p.name: p for p in self.params})

    @classmethod
    def of(cls, params: Iterable[Parameter]) -> ParamSet:
        return cls(tuple(params))

    def __getitem__(self, name: str) -> Parameter:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)


@dataclass(frozen=True, slots=True)
class ParamChange:
    """A parameter whose value differs: ``old`` on the vehicle (or the first set), ``new`` in the file."""

    name: str
    old: float | int
    new: float | int


@dataclass(frozen=True, slots=True)
class ParamDiff:
    """What loading a file would do: names only in the file, names only on the vehicle, and changed values."""

    added: tuple[Parameter, ...] = ()
    removed: tuple[Parameter, ...] = ()
    changed: tuple[ParamChange, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_params(current: ParamSet, file_params: ParamSet) -> ParamDiff:
    """What loading ``file_params`` onto a vehicle holding ``current`` changes, by name.

    ``added``: in the file only (the vehicle has no such parameter: another firmware, a disabled feature);
    ``removed``: on the vehicle only (the file leaves them alone); ``changed``: values that differ beyond float32.
    """
    added = tuple(p for name, p in file_params.items() if name not in current)
    removed = tuple(p for name, p in current.items() if name not in file_params)
    changed = tuple(
        ParamChange(name=name, old=current[name].value, new=p.value)
        for name, p in file_params.items()
        if name in current and not values_equal(current[name].value, p.value)
    )
    return ParamDiff(added=added, removed=removed, changed=changed)
