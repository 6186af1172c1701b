import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

CODE_SPAN = re.compile(r"`([^`]+)`")


@register.filter
def code_spans(text: str) -> str:
    """OpenAPI descriptions are CommonMark; the only markup ours use is `code`."""
    return mark_safe(CODE_SPAN.sub(r"<code>\1</code>", escape(text)))  # noqa: S308 (escaped first)
