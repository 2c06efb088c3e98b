"""snippet-html.py -- a translated snippet (itstool's XML) as HTML to paste.

    /usr/bin/python3 tools/snippet-html.py SOURCE TRANSLATED TAG > OUT

htdocs/snippets/*.html are written as well-formed XML (void elements
closed with " />", the root element in the XHTML namespace), which is
still HTML, so that itstool can translate them like the templates
(po/i18n.mk).  itstool writes XML back: an XML declaration, <textarea/>
for an empty element (which an HTML parser reads as an open textarea
swallowing the rest of the page), no comment outside the root.  This
writes the translation as HTML instead: SOURCE's leading comment (how to
use the snippet), then TRANSLATED's root element, serialised by the
standard library's HTML rules (void elements without end tags, every
other element with one), without the namespace, and with lang=TAG on the
root so that a page in another language marks the snippet's.
"""

import re
import sys
import xml.etree.ElementTree as ET

XHTML = "{http://www.w3.org/1999/xhtml}"


def main(source, translated, tag):
    with open(source, encoding="utf-8") as f:
        head = re.match(r"\s*(<!--.*?-->\s*)?", f.read(), re.S).group(1) or ""
    root = ET.parse(translated).getroot()
    for e in root.iter():
        if e.tag.startswith(XHTML):
            e.tag = e.tag[len(XHTML):]
    root.set("lang", tag)
    sys.stdout.write(head + ET.tostring(root, encoding="unicode",
                                        method="html") + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: snippet-html.py SOURCE TRANSLATED TAG")
    main(*sys.argv[1:])
