"""What people read about sessions: kept here, warm and plain, out of the logic."""

from __future__ import annotations

KIND_LABELS = {
    "group": "Group therapy",
    "skills": "Skills group",
    "individual": "Individual session",
    "family": "Family session",
    "other": "Session",
}

REMINDER_TITLE = "⏰ {title} in {lead}"
REMINDER_FOOTER = "Let your group know if you'll be there. Facilitators see the answers."
DM_FOOTER = "You get these because you turned on DM reminders. Change it with /schedule."

RSVP_YES = "Thanks! See you there. You can change your answer until the session starts."
RSVP_NO = (
    "Thanks for letting us know. If you'd like, add a reason: only facilitators see it. "
    "You can change your answer until the session starts."
)
RSVP_REASON_SAVED = "Thanks for letting us know. Only facilitators will see your reason."

CANCELLED_TITLE = "Session cancelled"
MOVED_TITLE = "Session moved"

MISSED_YOU = (
    "Hi {name}, we missed you at **{title}** ({when}). No pressure and no judgement: "
    "life gets full. If anything is getting in the way, your facilitators would be glad to "
    "hear from you, and your group will be happy to see you next time. 💛\n\n"
    "-# Don't want these? Use `/schedule missed_dm:False`."
)

NOT_ENROLLED = (
    "You're not in a cohort on this server right now, so there's no schedule to show. "
    "Facilitators can see every cohort's sessions with `/session list`."
)
NOT_YET_AGREED = "Your schedule appears once you've agreed to the group agreement (check your DMs)."
