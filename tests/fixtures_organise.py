"""Fixtures for organiser tests: accounts per role, signed-in clients, letters in bulk."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from actionapp.campaigns.actions import primary_targets
from actionapp.extensions import db
from actionapp.letters.compose import SupporterDetails
from actionapp.letters.record import NewSubmission, mark_printed
from actionapp.models import Channel, Role, utcnow
from actionapp.organisers import accounts as organiser_service
from tests.builders import submit_letters

PASSWORD = "correct horse battery staple"


@pytest.fixture
def cheap_hashing(monkeypatch):
    """Hash test passwords with argon2 at its lowest cost, so that signing in stays fast."""
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(organiser_service, "password_hasher", lambda: hasher)


@pytest.fixture
def make_organiser(app, cheap_hashing):
    """Create a committed organiser with a role (the password is PASSWORD)."""

    def create(role: str = "viewer", email: str | None = None, password: str = PASSWORD):
        organiser = organiser_service.create_organiser(
            email or f"{role}@example.org", password, Role(role), utcnow()
        )
        db.session.commit()
        return organiser

    return create


def sign_in(client, email: str, password: str = PASSWORD, follow: bool = False):
    """Sign a test client in through the real form."""
    return client.post(
        "/auth/sign-in", data={"email": email, "password": password}, follow_redirects=follow
    )


@pytest.fixture
def signed_in(app, make_organiser):
    """Return a new test client signed in as an organiser with the given role."""

    def client_for(role: str):
        organiser = make_organiser(role, email=f"{role}-{utcnow().timestamp()}@example.org")
        client = app.test_client()
        response = sign_in(client, organiser.email)
        assert response.status_code == 303, response.get_data(as_text=True)
        return client

    return client_for


@pytest.fixture
def uploads(app, tmp_path):
    """Keep uploaded images in a temporary folder."""
    folder = tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = str(folder)
    return folder


def add_letters(
    action, channel=Channel.PRINT, country="GB", key="k", now=None, language="en", downloaded=True
):
    """Record one supporter's letters to every primary target (plus the embassy copy).

    Printed letters are taken as downloaded (and so counted) unless `downloaded` is false.
    """
    details = SupporterDetails(
        name="Ana Example",
        city="Porto",
        country=country,
        language=language,
        variant="release",
        personal_message="I teach history.",
        target_ids=[t.id for t in primary_targets(action)],
        seed=key,
    )
    new = NewSubmission(
        details=details,
        channel=channel,
        client_key=f"{key}-{'x' * 16}",
        consent_text="I agree to the processing.",
        email=f"{key}@example.org" if channel == Channel.EMAIL or key.startswith("mail") else None,
    )
    submission = submit_letters(action, new, now or utcnow())
    if channel == Channel.PRINT and downloaded:
        mark_printed(submission, now or utcnow())
    db.session.commit()
    return submission
