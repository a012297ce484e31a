"""The forms a page shows, read from its HTML as a browser reads them: where each form
goes, by which method, and what it would send untouched (the escaping and fuzzing tests
post through the app's real forms with this)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.urls import Resolver404, resolve


@dataclass
class Field:
    name: str
    kind: str  # an <input>'s type, "select" or "textarea"
    values: list[str] = field(default_factory=list)  # what the browser sends untouched
    options: list[str] = field(default_factory=list)  # a select's, radio's or checkbox's


@dataclass
class Form:
    action: str  # path and query string
    method: str
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def url_name(self) -> str | None:
        try:
            return resolve(urlsplit(self.action).path).view_name
        except Resolver404:
            return None

    def data(self, **overrides) -> dict[str, list[str]]:
        """What submitting the form sends, with `overrides` (name -> value) replacing it."""
        sent = {name: list(f.values) for name, f in self.fields.items() if f.values}
        sent.update({name: [value] for name, value in overrides.items()})
        return sent


class _Parser(HTMLParser):
    def __init__(self, page_url):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.textarea: Field | None = None

    def _field(self, name, kind) -> Field:
        return self.form.fields.setdefault(name, Field(name, kind))

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            parts = urlsplit(action)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            self.form = Form(path, (a.get("method") or "get").lower())
            self.forms.append(self.form)
        elif tag == "option" and self.select is not None:
            # Django writes every option's value attribute
            self.select.options.append(a.get("value", ""))
            if "selected" in a:
                self.select.values.append(a.get("value", ""))
        elif self.form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            f = self._field(a["name"], kind)
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind in ("checkbox", "radio"):
                f.options.append(value)
                if "checked" in a:
                    f.values.append(value)
            else:
                f.values.append(value)
        elif tag == "select":
            self.select = self._field(a["name"], "select-multiple" if "multiple" in a else "select")
        elif tag == "textarea":
            self.textarea = self._field(a["name"], "textarea")
            self.textarea.values.append("")

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.values[-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select is not None:
            if not self.select.values and self.select.options and self.select.kind == "select":
                # a single select with nothing selected sends its first option
                self.select.values = [self.select.options[0]]
            self.select = None
        elif tag == "textarea":
            if self.textarea is not None and self.textarea.values[-1].startswith("\n"):
                # the HTML parser keeps the newline a browser drops after <textarea>
                self.textarea.values[-1] = self.textarea.values[-1][1:]
            self.textarea = None


def forms_on(response, page_url: str) -> list[Form]:
    """The forms of an HTML response (page_url: the path it was fetched from)."""
    parser = _Parser(page_url)
    parser.feed(response.content.decode())
    return parser.forms
