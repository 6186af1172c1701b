"""axe-core findings of moderate or minor impact that we accept, each with its reason.

Serious and critical findings are never allowed: they fail the test wherever they appear.
An entry names the rule and the elements it may excuse (a regular expression over the element's
HTML as axe reports it), so the same rule broken anywhere else still fails. Keep it short.
"""

import re
from typing import NamedTuple


class Allowed(NamedTuple):
    rule: str
    element: str  # matched against the element's HTML
    reason: str
    page: str = ""  # matched against the page's path; empty: any page


ALLOWLIST: list[Allowed] = [
    Allowed(
        "empty-table-header",
        r'^<th( class="original")?></th>$',
        "Django's admin/edit_inline/tabular.html renders an empty header over the column of each"
        " row's original object, and an empty one over the delete column when the inline is"
        " read-only; changing either means forking Django's template. Every input in those rows"
        " carries its own name (static/js/admin_labels.js).",
    ),
    *(
        Allowed(
            rule,
            "",
            "The edition preview is the email itself, as mail clients show it inside their own"
            " page: an email has no page landmarks (its layout tables are role=presentation).",
            page=r"^/admin/newsletter/edition/\d+/preview/html/$",
        )
        for rule in ("landmark-one-main", "region")
    ),
]


def is_allowed(violation: dict, node: dict, path: str) -> bool:
    """Whether one element's violation is excused: only moderate or minor, only as listed."""
    if violation["impact"] in ("serious", "critical"):
        return False
    return any(
        entry.rule == violation["id"]
        and re.search(entry.element, node["html"].strip())
        and re.search(entry.page, path)
        for entry in ALLOWLIST
    )
