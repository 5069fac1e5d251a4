"""Where a generated row is cut, and what it reports."""

from __future__ import annotations

import pytest

from confide_runner.confidence import CONFIDENT_TOKEN, UNCERTAIN_TOKEN, ConfidenceMarkers
from confide_runner.generate import find_completion

MARKERS = ConfidenceMarkers("text", {CONFIDENT_TOKEN: (7, 1, 2), UNCERTAIN_TOKEN: (7, 3, 2)}, ())
STOP = {0}


@pytest.mark.parametrize(
    ("generated", "token", "position", "kept", "output", "finish"),
    [
        ([5, 6, 7, 1, 2, 0, 0], CONFIDENT_TOKEN, 2, [5, 6, 7, 1, 2], 5, "stop"),
        ([5, 7, 3, 2], UNCERTAIN_TOKEN, 1, [5, 7, 3, 2], 4, "stop"),
        ([5, 7, 9, 7, 3, 2, 8], UNCERTAIN_TOKEN, 3, [5, 7, 9, 7, 3, 2], 6, "stop"),  # a partial prefix first
        ([5, 6, 0, 7, 1, 2], None, 2, [5, 6], 3, "stop"),  # end of turn before any marker
        ([5, 6, 7, 1], None, 4, [5, 6, 7, 1], 4, "length"),  # cut off mid-marker
        ([0], None, 0, [], 1, "stop"),
    ],
)
def test_find_completion(generated, token, position, kept, output, finish):
    completion = find_completion(generated, MARKERS, STOP)
    assert (completion.token, completion.marker_position, completion.kept) == (token, position, kept)
    assert (completion.output_tokens, completion.finish_reason) == (output, finish)
