"""What the API needs of the runtime: the profiles it opened, and the snapshot encoder.

A profile is the services layer's ``ProfileServices``. The runtime is named as a shape: importing
``groundstation.bootstrap.Runtime`` would pull storage and adapters into the API's import graph, which the
layer contracts forbid.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from groundstation.domain.ports import SnapshotWriter
from groundstation.services.profile import ProfileServices

ApiProfile = ProfileServices
"""One opened profile (a tenant): every request of a token runs against exactly one of these."""


class ApiRuntime(Protocol):
    """The process's runtime: the profiles it opened (looked up per request, so a profile the GUI opens
    later is served too) and the snapshot encoder behind ``snapshot.jpg``."""

    @property
    def profiles(self) -> Mapping[str, ApiProfile]: ...

    @property
    def snapshots(self) -> SnapshotWriter: ...
