"""The planners' file formats behind the domain's ``VehicleFileFormats`` port, for the services and the CLI.

The services pass text, never paths: the API takes a file's content in a request, the CLI and the GUI read
and write the disk themselves, and nothing here touches it.
"""

from __future__ import annotations

from groundstation.adapters.mavlink import mission_files, param_files
from groundstation.domain.errors import InvalidError
from groundstation.domain.missions import Mission
from groundstation.domain.parameters import ParamSet

PARAM_FORMATS = tuple(f.value for f in param_files.ParamFileFormat)
MISSION_FORMATS = ("plan", "waypoints")


class MavlinkFileFormats:
    def parse_params(self, text: str) -> ParamSet:
        return param_files.parse_params(text)

    def format_params(self, params: ParamSet, file_format: str, *, system_id: int = 1) -> str:
        try:
            chosen = param_files.ParamFileFormat(file_format)
        except ValueError:
            raise InvalidError(
                f"unknown parameter file format {file_format!r} (one of {', '.join(PARAM_FORMATS)})", field="format"
            ) from None
        return param_files.format_params(params.values(), chosen, system_id=system_id)

    def parse_mission(self, text: str) -> Mission:
        text = text.lstrip("\ufeff")
        if text.lstrip().startswith("QGC WPL"):
            return mission_files.parse_waypoints(text)
        return mission_files.parse_plan(text)

    def format_mission(self, mission: Mission, file_format: str) -> str:
        if file_format == "plan":
            return mission_files.format_plan(mission)
        if file_format == "waypoints":
            return mission_files.format_waypoints(mission)
        raise InvalidError(
            f"unknown mission file format {file_format!r} (one of {', '.join(MISSION_FORMATS)})", field="format"
        )
