"""What other features may use of support: the safety plan, the talk button, coping tools
and staffed hours. Crisis messages and check-ins offer these to a person; they never reach
into support's modules themselves."""

from __future__ import annotations

from cogs.support.ground import coping_buttons
from cogs.support.hours import Shift
from cogs.support.hours_settings import current_shift, setup_hours
from cogs.support.plan import plan_embed, plan_is_shared, plan_view_button, shared_plan_embed
from cogs.support.talk import open_talk_modal, talk_button

__all__ = [
    "Shift",
    "coping_buttons",
    "current_shift",
    "open_talk_modal",
    "plan_embed",
    "plan_is_shared",
    "plan_view_button",
    "setup_hours",
    "shared_plan_embed",
    "talk_button",
]
