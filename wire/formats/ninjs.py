"""IPTC ninjs (JSON), versions 2.x and 3.x.

2.x writes its properties in lower case (`versioncreated`, `embargoed`, `pubstatus`,
`body_html`); 3.x in camel case (`versionCreated`, `embargoedUntil`, `pubStatus`), requires
`uri`, and puts headlines and bodies in lists of objects carrying `value`. Both are read.
"""

import json

from django.utils.translation import gettext

from . import (
    PUB_STATUSES,
    WireFormatError,
    WirePicture,
    WireStory,
    decode,
    finish,
    paragraphs_html,
    parse_time,
    parse_version,
)


def parse(data: bytes, *, source: str = "") -> WireStory:
    """Read one ninjs item. `source` names the agency when the item does not."""
    text = decode(data)
    try:
        item = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WireFormatError(
            gettext("The JSON is malformed: %(reason)s (line %(line)d, column %(column)d).")
            % {"reason": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from None
    if not isinstance(item, dict):
        raise WireFormatError(
            gettext("A ninjs item is a JSON object; this file holds something else.")
        )
    is_3 = "3." in str(item.get("$schema", "")) or any(
        key in item for key in ("versionCreated", "pubStatus", "firstCreated", "embargoedUntil")
    )
    if is_3 and not item.get("uri"):
        raise WireFormatError(gettext("A ninjs 3 item must have a `uri`."))
    pub_status = _text(_get(item, "pubStatus", "pubstatus")) or "usable"
    if pub_status not in PUB_STATUSES:
        raise WireFormatError(
            gettext("Unknown pubStatus %(status)r: expected usable, withheld or canceled.")
            % {"status": pub_status}
        )
    story = WireStory(
        format="ninjs 3" if is_3 else "ninjs 2",
        source=source or _source(item),
        item_id=_text(item.get("uri") or item.get("guid")),
        version=parse_version(item.get("version")),
        headline=_headline(item),
        standfirst=_standfirst(item),
        body=_body(item),
        original=text,
        byline=_byline(item),
        credit=_credit(item),
        first_created=parse_time(_get(item, "firstCreated", "firstcreated"), "first-created time"),
        version_created=parse_time(_get(item, "versionCreated", "versioncreated"), "version time"),
        embargo_until=parse_time(_get(item, "embargoedUntil", "embargoed"), "embargo time"),
        subjects=_subjects(item),
        language=_text(item.get("language")),
        urgency=_urgency(item.get("urgency")),
        pub_status=pub_status,
        pictures=_pictures(item),
    )
    return finish(story)


def _get(item: dict, camel: str, lower: str):
    return item.get(camel, item.get(lower))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise WireFormatError(
            gettext("Expected text, found %(kind)s: %(value)s.")
            % {"kind": type(value).__name__, "value": str(value)[:60]}
        )
    return str(value).strip()


def _name(value) -> str:
    """A name given as text or as an object with `name` (ninjs 3's copyrightHolder, by…)."""
    if isinstance(value, dict):
        return _text(value.get("name"))
    if isinstance(value, list):
        return ", ".join(filter(None, (_name(v) for v in value)))
    return _text(value)


def _source(item: dict) -> str:
    for key in ("copyrightHolder", "copyrightholder", "provider"):
        if name := _name(item.get(key)):
            return name
    for info in item.get("infoSources") or []:
        if isinstance(info, dict) and (name := _text(info.get("name"))):
            return name
    return ""


def _credit(item: dict) -> str:
    return _text(item.get("creditline") or item.get("creditLine"))


def _byline(item: dict) -> str:
    if item.get("byline"):
        return _text(item["byline"])
    return _name(item.get("by"))


def _by_role(entries, wanted: tuple[str, ...]) -> dict | None:
    """The first entry of a 3.x `headlines`/`bodies`/`descriptions` list with a wanted role
    (or no role), else the first entry."""
    if not isinstance(entries, list):
        return None
    objects = [e for e in entries if isinstance(e, dict) and isinstance(e.get("value"), str)]
    for entry in objects:
        if entry.get("role", "") in wanted:
            return entry
    return objects[0] if objects else None


def _headline(item: dict) -> str:
    if isinstance(item.get("headline"), str):
        return item["headline"]
    entry = _by_role(item.get("headlines"), ("", "main", "default"))
    return entry["value"] if entry else ""


def _standfirst(item: dict) -> str:
    for key in ("description_text", "description_usage"):
        if isinstance(item.get(key), str):
            return item[key]
    entry = _by_role(item.get("descriptions"), ("", "summary", "abstract", "default"))
    return entry["value"] if entry else ""


def _body(item: dict) -> str:
    if isinstance(item.get("body_html"), str):
        return item["body_html"]
    entries = item.get("bodies")
    if isinstance(entries, list):
        html_bodies = [
            e
            for e in entries
            if isinstance(e, dict) and "html" in str(e.get("contentType", e.get("contenttype", "")))
        ]
        entry = _by_role(html_bodies, ("", "main", "default"))
        if entry:
            return entry["value"]
        entry = _by_role(entries, ("", "main", "default"))
        if entry:
            return _plain_paragraphs(entry["value"])
    if isinstance(item.get("body_text"), str):
        return _plain_paragraphs(item["body_text"])
    return ""


def _plain_paragraphs(text: str) -> str:
    return paragraphs_html([p.strip() for p in text.split("\n\n") if p.strip()])


def _subjects(item: dict) -> list[str]:
    names = []
    for subject in _list(item.get("subject") or item.get("subjects")):
        if isinstance(subject, dict) and (name := _text(subject.get("name"))):
            names.append(name)
    for keyword in _list(item.get("keywords")):
        if isinstance(keyword, str) and keyword.strip():
            names.append(keyword.strip())
    return list(dict.fromkeys(names))


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _urgency(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise WireFormatError(
            gettext("The urgency is not a number: %(value)r.") % {"value": value}
        ) from None


def _pictures(item: dict) -> list[WirePicture]:
    associations = item.get("associations") or {}
    if isinstance(associations, dict):
        associations = list(associations.values())
    pictures = []
    for association in associations:
        if not isinstance(association, dict) or association.get("type") not in ("picture", "image"):
            continue
        href = _rendition_href(association)
        if not href:
            continue
        pictures.append(
            WirePicture(
                href=href,
                alt_text=_text(association.get("description_text"))
                or _text(_headline(association)),
                caption=_text(association.get("body_text")) or _standfirst(association),
                credit=_byline(association) or _source(association),
            )
        )
    return pictures


def _rendition_href(association: dict) -> str:
    renditions = association.get("renditions") or {}
    if isinstance(renditions, dict):
        renditions = [renditions.get("original"), *renditions.values()]
    for rendition in renditions:
        if isinstance(rendition, dict) and isinstance(rendition.get("href"), str):
            return rendition["href"]
    return ""
