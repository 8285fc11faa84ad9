from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundstation.domain.errors import InvalidError
from groundstation.domain.video_sources import validate_video_url


@pytest.mark.parametrize(
    "url", ["http://[::1", "synthetic://?w=\u00b2", "device://\u0661", "rtp://0.0.0.0:abc", "udp://:5600"]
)
def test_malformed_stream_urls_are_invalid_not_a_crash(url: str) -> None:
    with pytest.raises(InvalidError):
        validate_video_url(url)


@given(st.text(max_size=60))
def test_any_text_is_a_url_or_invalid(text: str) -> None:
    for url in (text, f"http://{text}", f"synthetic://?{text}", f"udp://{text}", f"device://{text}"):
        with contextlib.suppress(InvalidError):
            validate_video_url(url)
