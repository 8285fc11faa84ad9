"""Metric or imperial, per profile: values stay SI inside (the field names say so), only the text changes."""

from __future__ import annotations

from dataclasses import dataclass

FEET_PER_M = 3.28084
MPH_PER_MPS = 2.23694


@dataclass(frozen=True, slots=True)
class Units:
    name: str = "metric"

    @property
    def imperial(self) -> bool:
        return self.name == "imperial"

    @property
    def length_unit(self) -> str:
        return "ft" if self.imperial else "m"

    @property
    def speed_unit(self) -> str:
        return "mph" if self.imperial else "m/s"

    def length(self, metres: float | None, spec: str = ".1f") -> str:
        if metres is None:
            return "--"
        return format(metres * FEET_PER_M if self.imperial else metres, spec)

    def speed(self, mps: float | None, spec: str = ".1f") -> str:
        if mps is None:
            return "--"
        return format(mps * MPH_PER_MPS if self.imperial else mps, spec)

    def length_value(self, metres: float) -> float:
        return metres * FEET_PER_M if self.imperial else metres

    def speed_value(self, mps: float) -> float:
        return mps * MPH_PER_MPS if self.imperial else mps


METRIC = Units("metric")
