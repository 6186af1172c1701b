"""IPTC NewsML-G2 newsItem (XML), with an XHTML or NITF body in its inlineXML.

Parsed with defusedxml, DTDs forbidden: an agency feed needs none, and a DTD is how the
billion-laughs (entity expansion) and external-entity (file and network reads) attacks come.
"""

import html
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext

from . import WireFormatError, WirePicture, WireStory, decode, finish, parse_time, parse_version

G2 = "{http://iptc.org/std/nar/2006-10-01/}"
# NITF's block tags, as the HTML our sanitiser keeps; `block` and `body.content` only wrap.
NITF_TAGS = {"hl1": "h2", "hl2": "h2", "bq": "blockquote", "credit": "p", "media": None}
UNWRAP = {"block", "body.content", "body", "div", "section", "span", "html", "tagline"}


def parse(data: bytes, *, source: str = "") -> WireStory:
    """Read one newsItem. `source` names the agency when the item does not."""
    text = decode(data)
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise WireFormatError(
            gettext(
                "The XML declares a DTD or entities (%(kind)s), which wire items never need and "
                "attacks use: refused."
            )
            % {"kind": type(exc).__name__}
        ) from None
    except ParseError as exc:
        raise WireFormatError(
            gettext("The XML is malformed: %(reason)s.") % {"reason": exc}
        ) from None
    if root.tag == G2 + "newsMessage":
        items = root.findall(f".//{G2}newsItem")
        if len(items) != 1:
            raise WireFormatError(
                gettext("The newsMessage holds %(count)d newsItems; send one item per file.")
                % {"count": len(items)}
            )
        root = items[0]
    if root.tag != G2 + "newsItem":
        raise WireFormatError(
            gettext("Expected a NewsML-G2 newsItem, found <%(tag)s>: unknown format.")
            % {"tag": _local(root.tag)}
        )
    meta = root.find(G2 + "itemMeta")
    content = root.find(G2 + "contentMeta")
    if meta is None or content is None:
        raise WireFormatError(gettext("The newsItem lacks itemMeta or contentMeta."))
    pub_status = _qcode(meta.find(G2 + "pubStatus")) or "usable"
    story = WireStory(
        format="NewsML-G2",
        source=source or _source(root),
        item_id=(root.get("guid") or "").strip(),
        version=parse_version(root.get("version")),
        headline=_text(content.find(G2 + "headline")),
        standfirst=_standfirst(content),
        body="",
        original=text,
        byline=_text(content.find(G2 + "by")),
        credit=_text(content.find(G2 + "creditline")),
        first_created=parse_time(_text(meta.find(G2 + "firstCreated")), "first-created time"),
        version_created=parse_time(_text(meta.find(G2 + "versionCreated")), "version time"),
        embargo_until=parse_time(_text(meta.find(G2 + "embargoed")), "embargo time"),
        subjects=_subjects(content),
        language=_language(root, content),
        urgency=_urgency(content),
        pub_status=pub_status,
        pictures=_pictures(root),
    )
    story.body = _body(root)
    return finish(story)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element: Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _qcode(element: Element | None) -> str:
    """`stat:canceled` → `canceled`."""
    if element is None:
        return ""
    return (element.get("qcode") or element.get("literal") or "").rsplit(":", 1)[-1]


def _source(root: Element) -> str:
    rights = root.find(f"{G2}rightsInfo/{G2}copyrightHolder")
    provider = root.find(f"{G2}itemMeta/{G2}provider")
    for element in (rights, provider):
        if element is not None:
            name = _text(element.find(G2 + "name")) or element.get("literal") or ""
            if name.strip():
                return name.strip()
    return ""


def _standfirst(content: Element) -> str:
    for description in content.findall(G2 + "description"):
        if description.get("role", "drol:summary") in ("drol:summary", "drol:teaser"):
            return _text(description)
    return ""


def _subjects(content: Element) -> list[str]:
    names = [_text(s.find(G2 + "name")) for s in content.findall(G2 + "subject")]
    names += [_text(k) for k in content.findall(G2 + "keyword")]
    return list(dict.fromkeys(name for name in names if name))


def _language(root: Element, content: Element) -> str:
    language = content.find(G2 + "language")
    if language is not None and language.get("tag"):
        return language.get("tag")
    return root.get("{http://www.w3.org/XML/1998/namespace}lang", "")


def _urgency(content: Element) -> int | None:
    value = _text(content.find(G2 + "urgency"))
    if not value:
        return None
    if not value.isdigit():
        raise WireFormatError(gettext("The urgency is not a number: %(value)r.") % {"value": value})
    return int(value)


def _pictures(root: Element) -> list[WirePicture]:
    pictures = []
    for remote in root.iter(G2 + "remoteContent"):
        href = remote.get("href") or remote.get("residref") or ""
        if href and (remote.get("contenttype") or "image/").startswith("image/"):
            pictures.append(WirePicture(href=href))
    return pictures


def _body(root: Element) -> str:
    for inline in root.iter(G2 + "inlineXML"):
        content_type = inline.get("contenttype", "")
        if "nitf" in content_type:
            body = next((e for e in inline.iter() if _local(e.tag) == "body.content"), None)
        elif "xhtml" in content_type or "html" in content_type:
            body = next((e for e in inline.iter() if _local(e.tag) == "body"), None)
        else:
            continue
        return _html(body) if body is not None else ""
    for inline in root.iter(G2 + "inlineData"):
        return "".join(
            f"<p>{html.escape(p.strip(), quote=False)}</p>"
            for p in (inline.text or "").split("\n\n")
            if p.strip()
        )
    raise WireFormatError(
        gettext("The newsItem has no body: expected inlineXML with XHTML or NITF, or inlineData.")
    )


def _html(element: Element) -> str:
    """The element's content as HTML, NITF tags mapped to their HTML counterparts; the
    sanitiser decides afterwards what survives."""
    parts = [html.escape(element.text or "", quote=False)]
    for child in element:
        name = _local(child.tag)
        inner = _html(child)
        mapped = NITF_TAGS.get(name, name)
        if mapped is None:
            pass  # NITF <media>: pictures come from remoteContent, not from inside the body
        elif mapped in UNWRAP:
            parts.append(inner)
        elif name == "a" and child.get("href"):
            parts.append(f'<a href="{html.escape(child.get("href"))}">{inner}</a>')
        else:
            parts.append(f"<{mapped}>{inner}</{mapped}>")
        parts.append(html.escape(child.tail or "", quote=False))
    return "".join(parts)
