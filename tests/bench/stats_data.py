"""Generate an action's letters in bulk, with rollups and counters that match them exactly."""

from __future__ import annotations

import random
import secrets
from collections import Counter
from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy import insert

from actionapp.campaigns.actions import primary_targets
from actionapp.extensions import db
from actionapp.models import CounterSlot, Letter, LetterRollup, PersonalRollup, Submission
from actionapp.stats.counts import (
    POSTGRES_SLOTS,
    SUPPORTERS,
    RollupKey,
    is_counted,
    letter_metric,
    personal_key,
)

# (channel, status, weight): the mix of a busy action a few weeks in.
MIX = (
    ("email", "confirmed", 40), ("email", "awaiting_confirmation", 5),
    ("mailto", "sent", 14), ("mailto", "opened", 6),
    ("print", "printed", 21), ("print", "posted", 14),
)  # fmt: skip
COUNTRIES = (
    "GB", "US", "DE", "FR", "AU", "CA", "NL", "BE", "CH", "AT", "IE", "ES", "IT", "PT", "SE",
    "NO", "DK", "FI", "PL", "CZ", "NZ", "JP", "KR", "TW", "HK", "SG", "MX", "BR", "AR", "CL",
    "ZA", "KE", "NG", "IN", "PH", "ID", "MY", "TH", "IL", "TR",
)  # fmt: skip
# Letters per hour of day (UTC): supporters write in the day and evening.
# The share of own words recorded with a submission: None for those recorded before the
# measure existed, 0 for the model letter as it stands, more for a personal paragraph.
SHARES = ((None, 2), (0, 5), (12, 2), (45, 1))
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 9, 9, 8, 8, 8, 9, 10, 10, 9, 6, 4, 2)
BATCH = 20_000


def populate(action, letters_wanted: int, now: datetime, days: int = 42, seed: int = 1) -> int:
    """Add about letters_wanted letters spread over the last `days` days; return how many.

    Letters go in with executemany in batches; rollups and counters are summed from the very
    rows inserted, so statistics over them must equal a count of the letters.
    """
    rng = random.Random(seed)
    # PostgreSQL writers spread rollups over slots (services.counts); SQLite uses one.
    slots = 1 if db.engine.dialect.name == "sqlite" else POSTGRES_SLOTS
    primaries = primary_targets(action)
    embassies = {t.supporter_country: t for t in action.targets if t.supporter_country}
    country_weights = [1 / (rank + 1) for rank in range(len(COUNTRIES))]
    pairs = [(c, s) for c, s, _ in MIX]
    pair_weights = [w for _, _, w in MIX]
    start = (now - timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    day_choices = list(range(days))
    rollups: Counter = Counter()
    personal: Counter = Counter()
    metrics: Counter = Counter()
    submissions: list[dict] = []
    letters: list[dict] = []
    made = 0
    next_submission_id = (
        db.session.execute(db.select(db.func.max(Submission.id))).scalar() or 0
    ) + 1
    while made < letters_wanted:
        country = rng.choices(COUNTRIES, country_weights)[0]
        channel, status = rng.choices(pairs, pair_weights)[0]
        day = rng.choice(day_choices)
        hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
        created = start + timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
        if created > now:
            created = now - timedelta(seconds=rng.randrange(3600))
        targets = list(primaries) + ([embassies[country]] if country in embassies else [])
        submission_id = next_submission_id
        next_submission_id += 1
        counted = is_counted(channel, status)
        own_share = rng.choices([v for v, _ in SHARES], [w for _, w in SHARES])[0]
        submissions.append(
            {
                "id": submission_id,
                "action_id": action.id,
                "public_token": secrets.token_urlsafe(24),
                "client_key": f"bench-{submission_id}",
                "channel": channel,
                "name": f"Supporter {submission_id}",
                "email": f"supporter{submission_id}@example.org",
                "street_address": "",
                "city": "Leeds",
                "country": country,
                "language": "en",
                "variant": "release",
                "edited_body": None,
                "personal_message": "",
                "paper": "",
                "own_share": own_share,
                "consent_text": "I agree.",
                "consent_updates": False,
                "created_at": created,
                "counted_at": created if counted else None,
                "personal_data_removed_at": None,
            }
        )
        if counted:
            metrics[SUPPORTERS] += 1
        for target in targets:
            language = target.language
            letters.append(
                {
                    "submission_id": submission_id,
                    "action_id": action.id,
                    "target_id": target.id,
                    "channel": channel,
                    "status": status,
                    "language": language,
                    "subject": "Please release them",
                    "salutation": "Dear President,",
                    "body": f"I am writing to you from Leeds about the case. ({submission_id})",
                    "closing": "Yours sincerely,",
                    "supporter_country": country,
                    "created_at": created,
                    "status_changed_at": created,
                }
            )
            key = RollupKey(created.date(), created.hour, channel, status, target.id, country,
                            language)  # fmt: skip
            slot = rng.randrange(slots)
            rollups[(key, slot)] += 1
            measured = personal_key(created, channel, status, own_share)
            if measured is not None:
                personal[(measured, slot)] += 1
            metrics[letter_metric(channel, status)] += 1
            made += 1
        if len(letters) >= BATCH:
            _flush(submissions, letters)
    _flush(submissions, letters)
    _insert_batches(
        LetterRollup,
        [
            {"action_id": action.id, "slot": slot, "count": n, **asdict(key)}
            for (key, slot), n in rollups.items()
        ],
    )
    _insert_batches(
        PersonalRollup,
        [
            {"action_id": action.id, "slot": slot, "count": n, **asdict(key)}
            for (key, slot), n in personal.items()
        ],
    )
    db.session.execute(
        insert(CounterSlot),
        [{"action_id": action.id, "metric": m, "slot": 0, "value": v} for m, v in metrics.items()],
    )
    db.session.commit()
    return made


def _flush(submissions: list[dict], letters: list[dict]) -> None:
    if submissions:
        db.session.execute(insert(Submission), submissions)
    if letters:
        db.session.execute(insert(Letter), letters)
    submissions.clear()
    letters.clear()


def _insert_batches(model, rows: list[dict]) -> None:
    for n in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[n : n + BATCH])
