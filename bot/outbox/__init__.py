"""The outbox: what must reach a person is written down first, then delivered until it lands.

A feature announces a fact (an alert was raised, a prompt is due) by writing an outbox row
in the same transaction as the fact itself (`enqueue`). One worker delivers rows through
the handler the feature registered for that kind. A crash at any point leaves the row
pending, and the next start resumes it. Handlers send with `item.nonce(...)`: Discord
returns the message already created with that nonce instead of posting it twice, so a retry
after a crash between Discord's answer and our commit does not double-post.

Failures are sorted here, once for every feature:
- transient (5xx, timeouts, connection errors, Discord rate limits that outlast
  discord.py's own waiting): retried with backoff and jitter;
- permanent 4xx a handler did not absorb with its own fallback, or `Undeliverable`: the
  item is `failed` at once, logged at ERROR with an incident id;
- safety items (`Policy.forever`) never give up while their handler still wants them
  delivered: every failed attempt is logged at ERROR with an incident id, and retried.
No discord imports in the decisions; `classify` maps exceptions to those three.

The modules: `queue` (`Outbox`, what features and the bot call), `policy` (retry policies
and the decision after a failure), `store` (the outbox table's SQL), `worker` (the delivery
loop), `items` (`Item`, `Landed`, `Handler`), `pacer` (the shared pacer for bulk sends).
Import the names from `bot.outbox`.
"""

from bot.outbox.items import Handler, Item, Landed
from bot.outbox.pacer import DEFAULT_RATE, Pacer
from bot.outbox.policy import (
    PERSON,
    ROUTINE,
    SAFETY,
    URGENT,
    AfterFailure,
    NotYet,
    Policy,
    Undeliverable,
    after_failure,
    classify,
    is_permanent,
)
from bot.outbox.queue import Outbox
from bot.outbox.store import KEEP_DONE, Health, OutboxStore
from bot.outbox.worker import ATTEMPT_TIMEOUT, PRUNE_EVERY, DeliveryWorker, Kind, Stats

__all__ = [
    "ATTEMPT_TIMEOUT",
    "DEFAULT_RATE",
    "KEEP_DONE",
    "PERSON",
    "PRUNE_EVERY",
    "ROUTINE",
    "SAFETY",
    "URGENT",
    "AfterFailure",
    "DeliveryWorker",
    "Handler",
    "Health",
    "Item",
    "Kind",
    "Landed",
    "NotYet",
    "Outbox",
    "OutboxStore",
    "Pacer",
    "Policy",
    "Stats",
    "Undeliverable",
    "after_failure",
    "classify",
    "is_permanent",
]
