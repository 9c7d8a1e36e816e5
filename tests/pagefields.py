"""Read back the form fields a page carries, as a browser would submit or show them."""

from __future__ import annotations

from html.parser import HTMLParser


class _Fields(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._buffer: list[str] = []

    def _add(self, key: str, value: str) -> None:
        self.values.setdefault(key, []).append(value)

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        key = a.get("name") or a.get("id") or ""
        if tag == "input" and key:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button"):
                return
            self._add(key, a.get("value") or ("on" if kind in ("checkbox", "radio") else ""))
        elif tag == "textarea":
            self._textarea, self._buffer = key, []
        elif tag == "select":
            self._select = key
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value") or "")

    def handle_data(self, data) -> None:
        if self._textarea is not None:
            self._buffer.append(data)

    def handle_endtag(self, tag) -> None:
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._buffer)
            # The HTML parser drops one line break right after <textarea>, as browsers do.
            for lead in ("\r\n", "\n"):
                if text.startswith(lead):
                    text = text[len(lead) :]
                    break
            self._add(self._textarea, text)
            self._textarea = None
        elif tag == "select":
            self._select = None


def page_fields(html: str) -> dict[str, list[str]]:
    """Return every field's values in a page: inputs (checked ones), textareas, selections.

    Fields are keyed by name, or by id when they have none (read-only copies).
    """
    parser = _Fields()
    parser.feed(html)
    parser.close()
    return parser.values
