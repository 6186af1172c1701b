"""`{% head_links %}`, `{% masthead %}` and `{% site_footer %}`: the parts of every public page
around its content, rendered once per process for each set of sections (newsroom/fragments.py).

Their links cost more to build than anything else in the page's frame (a URL reversal per
section, twice); they change only when a section does, and the keys hold every section's
address and name, so a renamed section makes a new key.
"""

from django import template
from django.conf import settings
from django.template.loader import get_template

from newsroom import fragments

register = template.Library()

HEAD_LINKS_TEMPLATE = "_head_links.html"
MASTHEAD_TEMPLATE = "_masthead.html"
FOOTER_TEMPLATE = "_footer.html"
CHROME = fragments.memo(limit=500)


def _render(template_name: str, context, names: tuple[str, ...], *, keep: bool = True) -> str:
    values = {name: context.get(name) for name in ("SITE_NAME", "nav_sections", *names)}
    if not keep:
        return get_template(template_name).render(values)
    sections = tuple((s.pk, s.slug, s.name) for s in values["nav_sections"] or ())
    key = (template_name, sections, *(values[name] for name in ("SITE_NAME", *names)))
    return CHROME.render(key, lambda: get_template(template_name).render(values))


@register.simple_tag(takes_context=True)
def masthead(context) -> str:
    """The site's name, the sections (the current one marked) and the search form."""
    if context.get("query"):
        # What a reader searched for: rendered each time, never kept.
        return _render(MASTHEAD_TEMPLATE, context, ("current_section_slug", "query"), keep=False)
    return _render(MASTHEAD_TEMPLATE, context, ("current_section_slug",))


@register.simple_tag(takes_context=True)
def site_footer(context) -> str:
    """The site's name, the sections and the service links."""
    return _render(FOOTER_TEMPLATE, context, ())


@register.simple_tag(takes_context=True)
def head_links(context) -> str:
    """The style sheet, the icon and the site's feeds, in the page's <head>."""
    values = {"SITE_NAME": context.get("SITE_NAME")}
    return CHROME.render(
        (HEAD_LINKS_TEMPLATE, values["SITE_NAME"], settings.STATIC_URL),
        lambda: get_template(HEAD_LINKS_TEMPLATE).render(values),
    )
