"""Crisis texts fit Discord's limits with every local resource the server lists."""

from cogs.crisis import messages
from cogs.crisis.store import LocalResource
from config.resources import load_resources


def longest(i: int) -> LocalResource:
    # /resources add allows name 80, contact 120, hours 60, note 200 characters.
    return LocalResource(i, f"{i:02d} " + "N" * 77, "C" * 120, "H" * 60, "n" * 200)


def test_ten_resources_at_maximum_length_all_appear_within_discords_limits() -> None:
    region = load_resources().region("US")
    local = [longest(i) for i in range(10)]
    for embed in (
        messages.support_embed(region, local, "S" * 100),
        messages.help_now_embed(region, local),
    ):
        values = [f.value or "" for f in embed.fields]
        assert all(0 < len(v) <= 1024 for v in values)
        assert len(embed.fields) <= 25 and len(embed) <= 6000
        shown = "\n".join(values)
        assert all(f"{i:02d} " in shown for i in range(10))  # none dropped
        assert all(
            line.endswith("n)") for v in values for line in v.splitlines() if line.startswith("• ")
        )  # no line cut
        assert "988" in (embed.description or "")  # the crisis lines always come first
