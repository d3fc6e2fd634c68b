"""The bookkeeping behind screening marks: which messages are still being screened."""

from cogs.crisis.catchup import Waiting


def test_smallest_other_ignores_the_message_itself_and_finished_ones() -> None:
    waiting = Waiting()
    for message_id in (30, 10, 20):
        waiting.add(message_id)
    assert waiting.smallest_other(20) == 10
    assert waiting.smallest_other(10) == 20
    waiting.discard(10)
    assert waiting.smallest_other(30) == 20
    assert waiting.smallest_other(20) == 30
    waiting.discard(20)
    waiting.discard(30)
    assert waiting.smallest_other(99) is None


def test_thousands_in_flight_stay_cheap() -> None:
    waiting = Waiting()
    for message_id in range(1, 20_001):
        waiting.add(message_id)
    for message_id in range(1, 20_001):  # each done in order: amortised O(log n)
        waiting.discard(message_id)
        assert waiting.smallest_other(message_id) == (
            message_id + 1 if message_id < 20_000 else None
        )
