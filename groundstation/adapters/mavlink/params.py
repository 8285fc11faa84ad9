"""The MAVLink parameter microservice, as a ground station's client of one vehicle.

Download asks for the whole list once (PARAM_REQUEST_LIST), then fills the gaps a lossy radio leaves by asking
for each missing index (PARAM_REQUEST_READ), because re-sending the list request would restart the whole stream.
A write (PARAM_SET) counts only when the vehicle echoes the parameter back with the value written: the vehicle
may clamp, refuse or never hear it, and the user must be told which. Values are encoded by type; see
:mod:`params_codec` for the byte-wise and C-cast encodings and how the client decides between them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from groundstation.adapters.mavlink import params_codec as codec
from groundstation.adapters.mavlink.channel import MavChannel
from groundstation.adapters.mavlink.params_inbox import deadline_after, open_inbox
from groundstation.domain.errors import InvalidError, OperationTimeoutError
from groundstation.domain.parameters import MAX_NAME_LENGTH, Parameter, ParamSet, ParamType, values_equal

Progress = Callable[[int, int], None]
"""Called with (received, total) as a download advances."""

_UNSOLICITED_INDEX = 65535  # PARAM_VALUE sent on a change, not as part of the list
_READ_BATCH = 16  # missing indices asked at once: enough to fill gaps fast, few enough not to flood a radio


class ParamClient:
    """Reads and writes one vehicle's parameters through a ``MavChannel``.

    ``bytewise`` fixes the integer encoding (``True`` byte-wise, ``False`` C cast); ``None`` infers it from the
    first integer value that tells them apart and falls back to byte-wise, the protocol's default. ``retry_s`` is
    how long one request waits for an answer before it is sent again, at most ``retries`` times.
    """

    def __init__(
        self, channel: MavChannel, *, bytewise: bool | None = None, retry_s: float = 1.0, retries: int = 3
    ) -> None:
        self._channel = channel
        self._bytewise = bytewise
        self._retry_s = retry_s
        self._retries = retries
        self._known: dict[str, Parameter] = {}

    @property
    def bytewise(self) -> bool | None:
        """The integer encoding in use; ``None`` while no value has told it (and none was configured)."""
        return self._bytewise

    @property
    def known(self) -> ParamSet:
        """Every parameter seen so far, by name, with the last value the vehicle reported."""
        return ParamSet.of(sorted(self._known.values(), key=lambda p: (p.index is None, p.index or 0, p.name)))

    async def download_all(self, progress: Progress | None = None, timeout_s: float = 60.0) -> ParamSet:
        """Every parameter of the vehicle, ordered by index; fails naming what is missing after ``timeout_s``."""
        deadline = deadline_after(timeout_s)
        by_index: dict[int, Parameter] = {}
        total: int | None = None
        async with open_inbox(self._channel, "PARAM_VALUE") as inbox:
            self._send_list_request()
            list_requests = 1
            while total is None or len(by_index) < total:
                message = await inbox.next(min(deadline, deadline_after(self._retry_s)))
                if message is None:
                    if deadline_after(0) >= deadline:
                        break
                    if total is None:
                        if list_requests > self._retries:
                            break
                        self._send_list_request()
                        list_requests += 1
                    else:
                        self._request_missing(total, by_index)
                    continue
                parameter = self._take(message)
                if parameter is None or parameter.index is None or parameter.index == _UNSOLICITED_INDEX:
                    continue
                count = int(message.param_count)
                total = count if total is None else max(total, count)
                if parameter.index < total and parameter.index not in by_index:
                    by_index[parameter.index] = parameter
                    if progress is not None:
                        progress(len(by_index), total)
        if total is None:
            raise OperationTimeoutError(
                f"the vehicle sent no parameters within {timeout_s:g} s of asking for the list "
                f"({list_requests} request(s)); is it connected, and does it speak the parameter protocol?"
            )
        if len(by_index) < total:
            missing = [i for i in range(total) if i not in by_index]
            shown = ", ".join(str(i) for i in missing[:10]) + (" ..." if len(missing) > 10 else "")
            raise OperationTimeoutError(
                f"parameter download incomplete after {timeout_s:g} s: received {len(by_index)} of {total}; "
                f"missing indices {shown}"
            )
        return ParamSet.of(by_index[i] for i in range(total))

    async def get(self, name: str, timeout_s: float | None = None) -> Parameter:
        """One parameter, read fresh from the vehicle by name."""
        _check_name(name)
        attempts = self._retries + 1
        per_try = self._retry_s if timeout_s is None else timeout_s / attempts
        async with open_inbox(self._channel, "PARAM_VALUE") as inbox:
            for _ in range(attempts):
                self._channel.send(
                    self._channel.mav.param_request_read_encode(
                        self._channel.target_system, self._channel.target_component, name.encode("ascii"), -1
                    )
                )
                message = await inbox.next(deadline_after(per_try), lambda m: codec.param_name(m) == name)
                if message is not None:
                    parameter = self._take(message)
                    if parameter is not None:
                        return parameter
        raise OperationTimeoutError(
            f"the vehicle did not answer a read of parameter {name} ({attempts} attempts): "
            "it may not have this parameter"
        )

    async def set(
        self, name: str, value: float | int, type: ParamType | None = None, timeout_s: float | None = None
    ) -> Parameter:
        """Write one parameter and return it as the vehicle echoed it; raises unless the echo holds ``value``.

        Without ``type`` the type last seen for the name is used, and the parameter is read first if never seen.
        """
        _check_name(name)
        param_type = type or (self._known[name].type if name in self._known else None)
        if param_type is None:
            param_type = (await self.get(name, timeout_s)).type
            assert param_type is not None
        wanted = codec.check_value(value, param_type)
        attempts = self._retries + 1
        per_try = self._retry_s if timeout_s is None else timeout_s / attempts
        async with open_inbox(self._channel, "PARAM_VALUE") as inbox:
            for _ in range(attempts):
                encoded = codec.encode_value(wanted, param_type, bytewise=self._bytewise is not False)
                self._channel.send(
                    self._channel.mav.param_set_encode(
                        self._channel.target_system,
                        self._channel.target_component,
                        name.encode("ascii"),
                        encoded,
                        int(param_type),
                    )
                )
                message = await inbox.next(deadline_after(per_try), lambda m: codec.param_name(m) == name)
                if message is None:
                    continue
                echoed = self._take(message)
                if echoed is None:
                    continue
                if not values_equal(echoed.value, wanted):
                    raise InvalidError(
                        f"the vehicle kept {name} = {echoed.value} instead of {wanted}: the value may be out of its "
                        "allowed range, or the parameter read-only",
                        field="value",
                    )
                return echoed
        raise OperationTimeoutError(
            f"the vehicle did not confirm {name} = {wanted} ({attempts} attempts): the write may or may not have "
            "taken; read the parameter to find out"
        )

    def _send_list_request(self) -> None:
        channel = self._channel
        channel.send(channel.mav.param_request_list_encode(channel.target_system, channel.target_component))

    def _request_missing(self, total: int, by_index: dict[int, Parameter]) -> None:
        missing = [i for i in range(total) if i not in by_index][:_READ_BATCH]
        channel = self._channel
        for index in missing:
            channel.send(
                channel.mav.param_request_read_encode(channel.target_system, channel.target_component, b"", index)
            )

    def _take(self, message: Any) -> Parameter | None:
        """Decode one PARAM_VALUE (learning the encoding from it if still unknown) and remember it."""
        try:
            param_type = ParamType(int(message.param_type))
        except ValueError:
            return None
        raw = codec.raw_value_bytes(message)
        if self._bytewise is None and param_type.is_integer:
            self._bytewise = codec.infer_bytewise(raw, param_type)
        try:
            value = codec.decode_value(raw, param_type, bytewise=self._bytewise is not False)
        except InvalidError:
            return None
        name = codec.param_name(message)
        parameter = Parameter(name=name, value=value, type=param_type, index=int(message.param_index))
        previous = self._known.get(name)
        if parameter.index == _UNSOLICITED_INDEX and previous is not None:
            parameter = Parameter(name=name, value=value, type=param_type, index=previous.index)
        self._known[name] = parameter
        return parameter


def _check_name(name: str) -> None:
    if not name or len(name) > MAX_NAME_LENGTH or not name.isascii():
        raise InvalidError(f"parameter name {name!r} must be 1 to {MAX_NAME_LENGTH} ASCII characters", field="name")
