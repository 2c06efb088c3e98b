"""htmlpage.py -- read a privforms page the way the tests need to: its
title, its elements by id with their text, its form controls by name, and
its error summaries with their links.

    p = Page(response.text)
    p.title                          'Error: Unsubscribe from marketing - ...'
    p.byid["error-email"].text       the message shown beside the field
    p.controls("channel")            the inputs called channel, in order
    p.summaries()                    [Element], the visible error summaries
    p.links(summary)                 [(href, text)] of a summary's list

Only the standard library's html.parser: the pages are XHTML that HTML
parsers read (page.h), so this reads them as a browser's parser would.
"""

import html.parser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children = []
        self.text = ""          # all text inside, as read
        self.pieces = []        # its own text and children, in order

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    @property
    def hidden(self):
        return "hidden" in self.attrs

    def classes(self):
        return (self.get("class") or "").split()

    def ancestors(self):
        e = self.parent
        while e is not None:
            yield e
            e = e.parent

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()

    def __repr__(self):
        return "<%s %r %r>" % (self.tag, self.attrs, self.text[:60])


class Page(html.parser.HTMLParser):
    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.stack = [self.root]
        self.byid = {}
        self.feed(text)
        self.close()
        titles = [e for e in self.root.walk() if e.tag == "title"]
        self.title = titles[0].text.strip() if titles else None

    def handle_starttag(self, tag, attrs):
        e = Element(tag, {k: (v if v is not None else k) for k, v in attrs},
                    self.stack[-1])
        self.stack[-1].children.append(e)
        self.stack[-1].pieces.append(e)
        if "id" in e.attrs:
            self.byid[e.attrs["id"]] = e
        if tag not in VOID:
            self.stack.append(e)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].pieces.append(data)
        for e in self.stack:
            e.text += data

    # ---- what the tests ask ----

    def all(self, tag=None, cls=None):
        return [e for e in self.root.walk()
                if (tag is None or e.tag == tag) and
                (cls is None or cls in e.classes())]

    def controls(self, name):
        return [e for e in self.root.walk()
                if e.tag in ("input", "select", "textarea") and
                e.get("name") == name]

    def summaries(self):
        """The error summaries shown (not hidden)."""
        return [e for e in self.all(cls="error-summary") if not e.hidden]

    def links(self, summary):
        return [(a.get("href"), a.text.strip()) for a in summary.walk()
                if a.tag == "a"]

    def errors(self):
        """{name: message} of every error shown beside a field."""
        return {i[len("error-"):]: e.text.strip()
                for i, e in self.byid.items()
                if i.startswith("error-") and not e.hidden}

    def label_of(self, control):
        """The visible text that asks for control: its fieldset's legend
        for a radio or checkbox in one, else its label."""
        if control.get("type") in ("radio", "checkbox"):
            for a in control.ancestors():
                if a.tag == "fieldset":
                    legends = [c for c in a.children if c.tag == "legend"]
                    if legends:
                        return legends[0].text.strip()
        for e in self.all("label"):
            if e.get("for") == control.get("id"):
                return e.text.strip()
        return None
