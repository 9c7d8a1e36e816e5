"""The demo action loader."""

from sqlalchemy import func, select

from actionapp.extensions import db
from actionapp.models import Action, ModelLetter, Target, TargetKind

SLUG = "china-release-huang-xueqin-and-wang-jianbing"


def page(runner, slug: str = SLUG) -> str:
    """Return the action page's public address, as the command says it (ACTIONAPP_PUBLIC_URL)."""
    return runner.app.config["PUBLIC_URL"].rstrip("/") + "/actions/" + slug


def test_seed_demo_loads_the_demo_once(runner):
    first = runner.invoke(args=["seed-demo"])
    assert f"Demo action added: {page(runner)}" in first.output
    second = runner.invoke(args=["seed-demo"])
    # `make db` and `make organiser` run it every time: the answer must not read as an error.
    assert second.output == f"Demo action: already there, {page(runner)}\n"
    assert second.exit_code == 0
    assert db.session.scalar(select(func.count(Action.id))) == 1
    action = db.session.scalar(select(Action))
    assert action.is_demo and action.status == "live"
    kinds = db.session.scalars(select(Target.kind)).all()
    assert kinds.count(TargetKind.PRIMARY) == 2 and kinds.count(TargetKind.EMBASSY) >= 5
    # Every demo address is on a reserved example domain and marked as an example.
    targets = db.session.scalars(select(Target)).all()
    assert all(t.email.endswith("@example.org") and t.is_example for t in targets)
    languages = {(m.variant, m.language) for m in db.session.scalars(select(ModelLetter))}
    assert {("release", "en"), ("release", "zh")} <= languages


def test_seed_demo_says_plainly_it_is_not_needed_beside_an_organisers_own_action(runner):
    runner.invoke(args=["seed-demo"])
    own = db.session.scalar(select(Action))  # made into the organisers' own action
    own.is_demo, own.slug = False, "our-own-action"
    db.session.commit()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    assert (
        again.output == "Demo action: not needed, your own actions are there (--force adds it).\n"
    )
    assert db.session.scalar(select(func.count(Action.id))) == 1
    forced = runner.invoke(args=["seed-demo", "--force"])
    assert f"Demo action added: {page(runner, '')}" in forced.output
    assert db.session.scalar(select(func.count(Action.id))) == 2


def test_the_demo_action_passes_its_own_publishing_checklist(app):
    """The demo is what a new organiser copies: every target fits the window on every paper."""
    from actionapp.campaigns.editing import publish_problems
    from actionapp.campaigns.seed import create_demo_action
    from actionapp.models import utcnow

    action = create_demo_action(utcnow())
    db.session.commit()
    with app.test_request_context():
        assert [str(problem) for problem in publish_problems(action, utcnow())] == []


def test_seed_demo_force_beside_the_demo_adds_a_copy_at_its_own_address(runner):
    runner.invoke(args=["seed-demo"])
    forced = runner.invoke(args=["seed-demo", "--force"])
    assert forced.exit_code == 0, forced.output
    slug = SLUG
    assert forced.output == f"Demo action added: {page(runner, slug + '-2')}\n"
    slugs = set(db.session.scalars(select(Action.slug)))
    assert slugs == {slug, f"{slug}-2"}
