"""The import contracts in pyproject.toml name every feature's views, forms and models.

import-linter checks only the modules a contract lists; a new view module or a new feature left
out of the lists would go unchecked. These tests read the lists against the package's files.
"""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "actionapp"
# `web` serves every page: it registers the features' views, so it may import them.
GLUE = {"web"}


def _modules(*kinds: str) -> set[str]:
    """Return the feature modules named `<kind>.py` or `*_<kind>.py`, as dotted names."""
    return {
        f"actionapp.{path.parent.name}.{path.stem}"
        for path in PACKAGE.glob("*/*.py")
        if path.parent.name not in GLUE
        and any(path.stem == kind or path.stem.endswith(f"_{kind}") for kind in kinds)
    }


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return {c["name"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _feature(module: str) -> str:
    return module.split(".")[1]


def test_every_feature_is_kept_from_every_other_features_views():
    views = _modules("views")
    contracts = _contracts()
    assert len({_feature(m) for m in views}) >= 8
    for feature in sorted({_feature(m) for m in views}):
        contract = contracts.get(f"{feature}: no other feature's views")
        assert contract is not None, f"no contract for the feature {feature}"
        assert contract["source_modules"] == [f"actionapp.{feature}"]
        expected = {m for m in views if _feature(m) != feature}
        listed = set(contract["forbidden_modules"])
        assert listed == expected, (feature, sorted(expected - listed), sorted(listed - expected))


def test_every_model_module_is_kept_from_views_forms_and_services():
    models, views, forms = _modules("models"), _modules("views"), _modules("forms")
    assert models and views and forms
    layering = _contracts()["Services and models never import views, forms or web modules"]
    assert models - set(layering["source_modules"]) == set()
    assert (views | forms) - set(layering["forbidden_modules"]) == set()
    no_services = _contracts()["Models never import services"]
    assert models - set(no_services["source_modules"]) == set()
    assert views - set(no_services["forbidden_modules"]) == set()
