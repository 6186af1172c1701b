"""The rules of the IPTC ninjs 3.0 schema that our items rely on, written from the
specification (https://www.iptc.org/std/ninjs/ninjs-schema_3.0.json), not copied from it.

`violations(item)` lists every broken rule, so a failing test says which.
"""

from datetime import datetime
from urllib.parse import urlsplit

# Root properties ninjs 3.0 defines (unevaluatedProperties: false forbids any other).
PROPERTIES = {
    "uri", "type", "representationType", "profile", "version", "firstCreated", "versionCreated",
    "contentCreated", "embargoed", "pubStatus", "urgency", "copyrightHolder", "copyrightNotice",
    "usageTerms", "edNote", "language", "descriptions", "bodies", "headlines", "people",
    "organisations", "places", "subjects", "events", "eventDetails", "plannedCoverage",
    "objects", "infoSources", "title", "by", "slugline", "located", "renditions",
    "associations", "altIds", "trustIndicators", "standard", "genres", "expires", "rightsInfo",
}  # fmt: skip
TYPES = {"text", "audio", "video", "picture", "graphic", "composite", "component", "event",
         "planning"}  # fmt: skip
PUB_STATUSES = {"usable", "withheld", "canceled"}
TEXT_ITEM_KEYS = {"headlines": {"role", "contentType", "value"},
                  "descriptions": {"role", "contentType", "value"},
                  "bodies": {"role", "contentType", "value", "charCount", "wordCount"}}  # fmt: skip
SUBJECT_KEYS = {"name", "rel", "uri", "literal", "creator", "relevance", "confidence"}
RENDITION_NUMBERS = {"width", "height", "sizeInBytes", "duration"}
RENDITION_STRINGS = {"name", "uri", "href", "contentType", "title", "format"}


def is_uri(value) -> bool:
    return isinstance(value, str) and bool(urlsplit(value).scheme) and " " not in value


def is_datetime(value) -> bool:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return parsed.tzinfo is not None  # RFC 3339 date-time carries an offset


def violations(item: dict, where: str = "item") -> list[str]:
    found = []
    if not isinstance(item, dict):
        return [f"{where} is not an object"]
    if "uri" not in item:
        found.append(f"{where}: uri is required")
    for name in set(item) - PROPERTIES - ({"name"} if where != "item" else set()):
        found.append(f"{where}: {name} is not a ninjs 3.0 property")
    for name in ("uri",):
        if name in item and not is_uri(item[name]):
            found.append(f"{where}.{name} is not a URI")
    for name in ("version", "copyrightHolder", "edNote", "language", "by", "slugline", "title"):
        if name in item and not isinstance(item[name], str):
            found.append(f"{where}.{name} is not a string")
    for name in ("firstCreated", "versionCreated", "contentCreated", "embargoed", "expires"):
        if name in item and not is_datetime(item[name]):
            found.append(f"{where}.{name} is not a date-time")
    if "type" in item and item["type"] not in TYPES:
        found.append(f"{where}.type {item['type']!r} is not a ninjs type")
    if "pubStatus" in item and item["pubStatus"] not in PUB_STATUSES:
        found.append(f"{where}.pubStatus {item['pubStatus']!r} is not allowed")
    for name, keys in TEXT_ITEM_KEYS.items():
        for index, entry in enumerate(item.get(name, [])):
            label = f"{where}.{name}[{index}]"
            if not isinstance(entry.get("value"), str):
                found.append(f"{label} has no string value")
            found += [f"{label}.{key} is not allowed" for key in set(entry) - keys]
            for key in ("charCount", "wordCount"):
                if key in entry and not isinstance(entry[key], int):
                    found.append(f"{label}.{key} is not an integer")
    for index, subject in enumerate(item.get("subjects", [])):
        label = f"{where}.subjects[{index}]"
        found += [f"{label}.{key} is not allowed" for key in set(subject) - SUBJECT_KEYS]
        if "uri" in subject and not is_uri(subject["uri"]):
            found.append(f"{label}.uri is not a URI")
    for index, rendition in enumerate(item.get("renditions", [])):
        label = f"{where}.renditions[{index}]"
        if "name" not in rendition:
            found.append(f"{label}: name is required")
        for key, value in rendition.items():
            if key in RENDITION_NUMBERS and not isinstance(value, int | float):
                found.append(f"{label}.{key} is not a number")
            elif key in RENDITION_STRINGS and not isinstance(value, str):
                found.append(f"{label}.{key} is not a string")
            elif key not in RENDITION_NUMBERS | RENDITION_STRINGS:
                found.append(f"{label}.{key} is not a property we expect")
        for key in ("href", "uri"):
            if key in rendition and not is_uri(rendition[key]):
                found.append(f"{label}.{key} is not a URI")
    associations = item.get("associations", [])
    if not isinstance(associations, list):
        found.append(f"{where}.associations is not an array (ninjs 3 changed it from an object)")
        associations = []
    for index, association in enumerate(associations):
        label = f"{where}.associations[{index}]"
        for key in ("name", "uri"):
            if key not in association:
                found.append(f"{label}: {key} is required")
        found += violations(association, label)
    if "standard" in item:
        standard = item["standard"]
        if set(standard) - {"name", "version", "schema"} or not is_uri(standard.get("schema")):
            found.append(f"{where}.standard is malformed")
    return found
