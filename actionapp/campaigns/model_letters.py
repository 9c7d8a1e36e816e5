"""Checking organiser-written model letter templates before they are saved or run."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from jinja2 import TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import SecurityError

from actionapp.letters.compose import EDIT_TOKENS, render_model_body, sandbox

# The placeholders a model letter may use: {{ supporter.name }}, {{ today }}, ...
NAMESPACED: dict[str, frozenset[str]] = {
    "supporter": frozenset({"name", "city", "country"}),
    "target": frozenset({"salutation", "name"}),
}
PLAIN = frozenset({"personal_message", "today"})
PLACEHOLDERS = tuple(
    [f"{ns}.{attr}" for ns, attrs in NAMESPACED.items() for attr in sorted(attrs)] + sorted(PLAIN)
)
# Harmless text filters an organiser may apply, such as {{ supporter.name|upper }}.
FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim"})
# Template constructs that only combine placeholders and text; everything else is refused.
ALLOWED_NODES = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.If, nodes.CondExpr, nodes.Not,
    nodes.And, nodes.Or, nodes.Compare, nodes.Operand, nodes.Concat, nodes.Const,
)  # fmt: skip
BODY_MAX = 20_000
# Conditions and expressions nest at most this deep. A letter needs a handful of levels; a
# hundred overflow Python's stack in Jinja's parser, compiler or renderer (RecursionError).
NESTING_MAX = 40


@dataclass(frozen=True)
class TemplateProblem:
    """One thing wrong with a template, at its line (1-based; 0 when it has no line)."""

    line: int
    message: str  # a lazy translated string
    excerpt: str = ""


def placeholder_list() -> str:
    """Return the allowed placeholders as the organiser types them."""
    return ", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS)


def check_model_template(text: str) -> list[TemplateProblem]:
    """Return what is wrong with a model letter's body; an empty list means it is safe to use.

    The template is parsed, never run, until every construct in it is known to be harmless:
    only the placeholders above, text, simple conditions and a few text filters.
    """
    lines = text.splitlines()

    def problem(line: int, message) -> TemplateProblem:
        excerpt = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        return TemplateProblem(line, message, excerpt[:160])

    if len(text) > BODY_MAX:
        return [problem(0, _l("The letter is too long: at most %(n)d characters.", n=BODY_MAX))]
    try:
        tree = sandbox().parse(text)
    except TemplateSyntaxError as error:
        return [
            problem(error.lineno or 0, _l("Template syntax error: %(error)s", error=error.message))
        ]
    except RecursionError:
        # Jinja's parser recurses once per level; catching here is the one place it can fail.
        return [problem(0, _too_deep())]
    problems = [problem(line, message) for line, message in _walk(tree)]
    if problems:
        return problems
    # Only reached when every construct is harmless; the sandbox is a second line of defence.
    refused = _refused_when_written(text)
    return [problem(0, refused)] if refused is not None else []


def _refused_when_written(text: str):
    """Return why writing the body fails in some language (the sandbox, an error), or None."""
    for language, tokens in EDIT_TOKENS.items():
        try:
            render_model_body(text, tokens)
        except SecurityError as error:
            return _l(
                "Refused by the sandbox (%(lang)s): %(error)s", lang=language, error=str(error)
            )
        except TemplateError as error:
            return _l(
                "The letter cannot be written (%(lang)s): %(error)s",
                lang=language,
                error=str(error),
            )
    return None


def _too_deep():
    return _l(
        "Template syntax error: %(error)s",
        error=_l("conditions or expressions nested more than %(n)d levels deep", n=NESTING_MAX),
    )


def _walk(node: nodes.Node, depth: int = 0):
    """Yield (line, message) for every construct a model letter may not use."""
    line = getattr(node, "lineno", 0) or 0
    if depth > NESTING_MAX:
        yield line, _too_deep()
        return
    if isinstance(node, nodes.Getattr):
        yield from _check_attribute(node, line)
        return
    if isinstance(node, nodes.Getitem):
        yield (
            line,
            _l(
                "Square brackets are not allowed in a model letter; use one of the placeholders: "
                "%(placeholders)s.",
                placeholders=placeholder_list(),
            ),
        )
        return
    if isinstance(node, nodes.Name):
        yield from _check_name(node, line)
        return
    if isinstance(node, nodes.Filter):
        if node.name not in FILTERS or node.args or node.kwargs or node.dyn_args:
            yield (
                line,
                _l(
                    "The filter “%(name)s” is not allowed; these are: %(filters)s "
                    "(without arguments).",
                    name=node.name,
                    filters=", ".join(sorted(FILTERS)),
                ),
            )
            return
        if node.node is not None:
            yield from _walk(node.node, depth + 1)
        return
    if not isinstance(node, ALLOWED_NODES):
        yield (
            line,
            _l(
                "This template feature is not allowed in a model letter (%(feature)s). "
                "Use text, the placeholders (%(placeholders)s) and {%% if %%} only.",
                feature=type(node).__name__,
                placeholders=placeholder_list(),
            ),
        )
        return
    for child in node.iter_child_nodes():
        yield from _walk(child, depth + 1)


def _check_name(node: nodes.Name, line: int):
    if node.ctx != "load":
        yield line, _l("Setting variables is not allowed (%(name)s).", name=node.name)
    elif node.name in NAMESPACED:
        yield (
            line,
            _l(
                "Write {{ %(name)s.… }} with one of: %(choices)s.",
                name=node.name,
                choices=", ".join(f"{node.name}.{a}" for a in sorted(NAMESPACED[node.name])),
            ),
        )
    elif node.name not in PLAIN:
        yield (
            line,
            _l(
                "Unknown placeholder {{ %(name)s }}. The placeholders are: %(placeholders)s.",
                name=node.name,
                placeholders=placeholder_list(),
            ),
        )


def _check_attribute(node: nodes.Getattr, line: int):
    base = node.node
    if isinstance(base, nodes.Name) and base.name in NAMESPACED and base.ctx == "load":
        if node.attr not in NAMESPACED[base.name]:
            yield (
                line,
                _l(
                    "Unknown placeholder {{ %(name)s }}. The placeholders are: %(placeholders)s.",
                    name=f"{base.name}.{node.attr}",
                    placeholders=placeholder_list(),
                ),
            )
        return
    if node.attr.startswith("_"):
        yield (
            line,
            _l(
                "“%(name)s” is refused: a model letter cannot reach into the program (sandbox). "
                "Use only the placeholders: %(placeholders)s.",
                name=node.attr,
                placeholders=placeholder_list(),
            ),
        )
        return
    yield (
        line,
        _l(
            "Only the placeholders can be used (%(placeholders)s); “.%(name)s” on anything else "
            "is not allowed.",
            placeholders=placeholder_list(),
            name=node.attr,
        ),
    )
