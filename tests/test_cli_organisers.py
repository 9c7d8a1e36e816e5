"""`flask organisers create` asks for the password twice, or reads it twice from stdin."""

from __future__ import annotations

from sqlalchemy import select

from actionapp.extensions import db
from actionapp.models import Organiser
from tests.fixtures_organise import sign_in

GOOD = "a long enough password"


def test_create_reads_the_password_twice_from_stdin_and_can_sign_in(app, runner, cheap_hashing):
    result = runner.invoke(
        args=["organisers", "create", "Lead@Example.org", "--role", "admin"],
        input=f"{GOOD}\n{GOOD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Organiser lead@example.org added as admin." in result.output
    organiser = db.session.scalar(select(Organiser))
    assert organiser.role == "admin" and organiser.password_hash.startswith("$argon2id$")
    client = app.test_client()
    assert sign_in(client, "lead@example.org", GOOD).status_code == 303
    assert client.get("/organise/organisers").status_code == 200


def test_create_refuses_differing_short_or_missing_passwords(runner, cheap_hashing):
    cases = {
        f"{GOOD}\nsomething else\n": "differ",
        "short\nshort\n": "at least 12 characters",
        "": "No password",
    }
    for given, message in cases.items():
        result = runner.invoke(
            args=["organisers", "create", "x@example.org", "--role", "viewer"], input=given
        )
        assert result.exit_code != 0 and message in result.output, result.output
    assert db.session.scalar(select(Organiser)) is None
    bad_role = runner.invoke(args=["organisers", "create", "x@example.org", "--role", "boss"])
    assert bad_role.exit_code == 2


def test_create_prompts_twice_on_a_terminal(runner, cheap_hashing, monkeypatch):
    from actionapp.organisers import cli as cli_organise

    monkeypatch.setattr(cli_organise, "stdin_is_terminal", lambda: True)
    result = runner.invoke(
        args=["organisers", "create", "t@example.org", "--role", "editor"],
        input=f"{GOOD}\n{GOOD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output and "Repeat for confirmation:" in result.output
    assert GOOD not in result.output  # hidden input


def test_duplicates_list_new_password_and_deactivation(app, runner, cheap_hashing):
    args = ["organisers", "create", "e@example.org", "--role", "editor"]
    assert runner.invoke(args=args, input=f"{GOOD}\n{GOOD}\n").exit_code == 0
    again = runner.invoke(args=args, input=f"{GOOD}\n{GOOD}\n")
    assert again.exit_code != 0 and "exists already" in again.output
    assert "e@example.org\teditor\tactive" in runner.invoke(args=["organisers", "list"]).output
    new = "a different long password"
    changed = runner.invoke(
        args=["organisers", "set-password", "e@example.org"], input=f"{new}\n{new}\n"
    )
    assert changed.exit_code == 0
    assert sign_in(app.test_client(), "e@example.org", new).status_code == 303
    assert runner.invoke(args=["organisers", "deactivate", "e@example.org"]).exit_code == 0
    assert sign_in(app.test_client(), "e@example.org", new).status_code == 200  # refused


def test_cli_and_admin_form_agree_on_every_real_world_address(app, runner, signed_in):
    from tests.realworld import emails

    admin = signed_in("admin")
    for number, case in enumerate(emails()):
        address = case.address
        cli = runner.invoke(
            args=["organisers", "create", address, "--role", "viewer"], input=f"{GOOD}\n{GOOD}\n"
        )
        db.session.rollback()
        form = admin.post(
            "/organise/organisers/new",
            data={"email": address.replace("@", f"+{number}@", 1) if case.accepted else address,
                  "role": "viewer", "password": GOOD, "password_again": GOOD},
        )  # fmt: skip
        assert (cli.exit_code == 0) is case.accepted, (case, cli.output)
        assert (form.status_code == 303) is case.accepted, case


def test_the_last_active_admin_is_not_deactivated_from_the_cli(app, runner, cheap_hashing):
    """The rule the admin page keeps holds in the CLI too: one active administrator stays."""
    create = ["organisers", "create", "lead@example.org", "--role", "admin"]
    assert runner.invoke(args=create, input=f"{GOOD}\n{GOOD}\n").exit_code == 0
    refused = runner.invoke(args=["organisers", "deactivate", "lead@example.org"])
    assert refused.exit_code != 0
    assert "last active administrator" in refused.output
    assert sign_in(app.test_client(), "lead@example.org", GOOD).status_code == 303
    second = ["organisers", "create", "second@example.org", "--role", "admin"]
    assert runner.invoke(args=second, input=f"{GOOD}\n{GOOD}\n").exit_code == 0
    assert runner.invoke(args=["organisers", "deactivate", "lead@example.org"]).exit_code == 0
    assert sign_in(app.test_client(), "lead@example.org", GOOD).status_code == 200  # refused
