"""What other features may use of support: the safety plan, the talk button, coping tools
and staffed hours (crisis messages and check-ins offer these to a person), `/setup hours`
(declared by setup), and the staff notices of a person's conversations (what privacy
redacts). Other features never reach into support's modules themselves."""

from __future__ import annotations

from cogs.support.ground import coping_buttons
from cogs.support.hours import Shift
from cogs.support.hours_settings import current_shift, setup_hours
from cogs.support.plan_embeds import plan_embed, plan_is_shared, shared_plan_embed
from cogs.support.plan_views import plan_view_button
from cogs.support.staff_messages import conversation_notices_about
from cogs.support.talk import open_talk_modal, talk_button

__all__ = [
    "Shift",
    "conversation_notices_about",
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
