"""axe-core findings of moderate or minor impact that we accept, each with its reason.

Serious and critical findings are never allowed: they fail the test wherever they appear.
An entry names the rule and the elements it may excuse (a regular expression over the element's
HTML as axe reports it), so the same rule broken anywhere else still fails. Keep it short.
"""

import re
from typing import NamedTuple


class Allowed(NamedTuple):
    rule: str
    element: str
    reason: str


ALLOWLIST: list[Allowed] = [
    Allowed(
        "empty-table-header",
        r'^<th( class="original")?></th>$',
        "Django's admin/edit_inline/tabular.html renders an empty header over the column of each"
        " row's original object, and an empty one over the delete column when the inline is"
        " read-only; changing either means forking Django's template. Every input in those rows"
        " carries its own name (static/js/admin_labels.js).",
    ),
]


def is_allowed(violation: dict, node: dict) -> bool:
    """Whether one element's violation is excused: only moderate or minor, only as listed."""
    if violation["impact"] in ("serious", "critical"):
        return False
    return any(
        entry.rule == violation["id"] and re.search(entry.element, node["html"].strip())
        for entry in ALLOWLIST
    )
