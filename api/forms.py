import datetime

from django import forms
from django.db.models import Q
from taggit.models import Tag

from articles import caching
from articles.models import Article, Author, Section

from . import cursors

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class ArticleListForm(forms.Form):
    """The list's query parameters: filters, page size and the cursor of the page before."""

    section = forms.SlugField(required=False)
    tag = forms.SlugField(required=False)
    author = forms.SlugField(required=False)
    updated_since = forms.DateTimeField(
        required=False, error_messages={"invalid": "Give an ISO 8601 time, e.g. 2026-11-29T17:00Z."}
    )
    limit = forms.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT)
    cursor = forms.CharField(required=False)

    def clean(self):
        unknown = sorted(set(self.data) - set(self.fields))
        if unknown:
            raise forms.ValidationError(
                f"Unknown parameter: {', '.join(unknown)}. Known: {', '.join(self.fields)}."
            )
        return super().clean()

    def clean_section(self):
        return self._owner(Section.objects.all(), "section", "No section has the slug “{}”.")

    def clean_tag(self):
        # Only tags readers can see: a tag found only on drafts could give a story away.
        return self._owner(
            Article.objects.live().tags(), "tag", "No live article has the tag “{}”."
        )

    def clean_author(self):
        authors = Article.objects.live().authors()
        return self._owner(authors, "author", "No live article is by an author “{}”.")

    def clean_updated_since(self):
        since = self.cleaned_data["updated_since"]
        try:
            # 0001-01-01T00:00+01:00 parses, then falls off the calendar in UTC.
            if since is not None:
                since.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError("That time is out of range.") from None
        return since

    def clean_cursor(self):
        cursor = self.cleaned_data["cursor"]
        if not cursor:
            return None
        try:
            return cursors.read(cursor)
        except cursors.BadCursor as error:
            raise forms.ValidationError(str(error)) from error

    def _owner(self, queryset, name: str, message: str):
        slug = self.cleaned_data[name]
        if not slug:
            return None
        found = queryset.filter(slug=slug).first()
        if found is None:
            raise forms.ValidationError(message.format(slug))
        return found

    def filter(self, articles):
        data = self.cleaned_data
        if data["section"]:
            articles = articles.filter(section=data["section"])
        if data["tag"]:
            articles = articles.filter(tags=data["tag"])
        if data["author"]:
            articles = articles.filter(authors=data["author"])
        if since := data["updated_since"]:
            # A scheduled story going live changes no row: its publish time is when it changed.
            articles = articles.filter(Q(updated_at__gte=since) | Q(publish_at__gte=since))
        if data["cursor"]:
            when, pk = data["cursor"]
            articles = articles.filter(Q(publish_at__lt=when) | Q(publish_at=when, pk__lt=pk))
        return articles

    @property
    def page_size(self) -> int:
        return self.cleaned_data["limit"] or DEFAULT_LIMIT

    def cache_keys(self) -> set[str]:
        """Every change to a live article purges `latest`; renaming a filter's owner purges
        its own key."""
        data = self.cleaned_data
        keys = {caching.LATEST}
        if isinstance(data["section"], Section):
            keys.add(caching.section_key(data["section"].pk))
        if isinstance(data["tag"], Tag):
            keys.add(caching.tag_key(data["tag"].pk))
        if isinstance(data["author"], Author):
            keys.add(caching.author_key(data["author"].pk))
        return keys
