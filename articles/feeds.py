"""RSS 2.0 and Atom feeds of live articles: the whole site, a section, a tag, an author.

Every byline is listed (one dc:creator per author in RSS, one <author> per author in Atom,
where Django's generators would allow only one), tags are categories and the hero photo is an
enclosure. Entry ids are tag URIs on the article's id, so a changed slug is not a new story.
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext

from . import caching, corrections
from .metadata import absolute_url, shared_image
from .models import Article, Section

logger = logging.getLogger(__name__)

FEED_LENGTH = 30
DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"


class RssWithBylines(Rss201rev2Feed):
    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:dc": DC_NAMESPACE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for author in item["bylines"]:
            handler.addQuickElement("dc:creator", author.name)


class AtomWithBylines(Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for author in item["bylines"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", author.name)
            handler.addQuickElement("uri", absolute_url(author.get_absolute_url()))
            handler.endElement("author")


class ArticleFeed(Feed):
    """The newest live articles of the whole site; subclasses narrow it to one owner."""

    feed_type = RssWithBylines
    url_name = "articles:feed_rss"
    # Atom needs an author on the feed for entries without a byline.
    author_name = settings.SITE_NAME

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        return caching.cacheable(response, request.feed_cache_keys)

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        request.feed_cache_keys = {self.owner_key(obj)}.union(
            *(item["cache_keys"] for item in feed.items)
        )
        return feed

    def owner_key(self, obj) -> str:
        return caching.LATEST

    def get_object(self, request, slug=None):
        return None

    def filter_articles(self, articles, obj):
        return articles

    def title(self, obj):
        return settings.SITE_NAME

    def description(self, obj):
        return gettext("The latest stories from %(site)s.") % {"site": settings.SITE_NAME}

    def subtitle(self, obj):
        return self.description(obj)

    def link(self, obj):
        return absolute_url(obj.get_absolute_url() if obj else reverse("articles:home"))

    def feed_url(self, obj):
        return absolute_url(reverse(self.url_name, kwargs={"slug": obj.slug} if obj else {}))

    def items(self, obj):
        articles = Article.objects.live().for_cards().prefetch_related("tags").newest_first()
        return self.filter_articles(articles, obj)[:FEED_LENGTH]

    def item_title(self, item: Article) -> str:
        return item.headline

    def item_description(self, item: Article) -> str:
        # Atom declares the summary type="html" and RSS readers treat a description as HTML:
        # the standfirst is plain text, so it goes in escaped.
        return escape(item.standfirst)

    def item_link(self, item: Article) -> str:
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item: Article) -> str:
        published = item.first_published_at or item.publish_at
        return f"tag:{urlsplit(settings.SITE_URL).hostname},{published:%Y-%m-%d}:article:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Article):
        return item.first_published_at or item.publish_at

    def item_updateddate(self, item: Article):
        return item.modified_at

    def item_categories(self, item: Article) -> list[str]:
        return [tag.name for tag in item.tags.all()]

    def item_enclosures(self, item: Article) -> list[Enclosure]:
        image = shared_image(item.hero_image)
        if image is None:
            return []
        try:
            length = image.file.size
        except OSError:
            # RSS requires the length; a missing file must not take the whole feed down.
            logger.warning("Feed enclosure skipped: no file for image %s", item.hero_image_id)
            return []
        return [Enclosure(image.url, str(length), image.mime_type)]

    def item_extra_kwargs(self, item: Article) -> dict:
        # The item's tags, named in the feed, for the page cache (ignored by the XML).
        keys = {caching.tag_key(tag.pk) for tag in item.tags.all()}
        return {"bylines": item.byline_authors, "cache_keys": keys}


class ArticleAtomFeed(ArticleFeed):
    feed_type = AtomWithBylines
    url_name = "articles:feed_atom"


class SectionFeed(ArticleFeed):
    def owner_key(self, obj) -> str:
        return caching.section_key(obj.pk)

    url_name = "articles:section_feed_rss"

    def get_object(self, request, slug=None):
        return get_object_or_404(Section, slug=slug)

    def filter_articles(self, articles, obj):
        return articles.filter(section=obj)

    def title(self, obj):
        return f"{obj.name} – {settings.SITE_NAME}"

    def description(self, obj):
        return obj.description or gettext("The latest %(section)s stories from %(site)s.") % {
            "section": obj.name,
            "site": settings.SITE_NAME,
        }


class SectionAtomFeed(SectionFeed):
    feed_type = AtomWithBylines
    url_name = "articles:section_feed_atom"


class TagFeed(ArticleFeed):
    def owner_key(self, obj) -> str:
        return caching.tag_key(obj.pk)

    url_name = "articles:tag_feed_rss"

    def get_object(self, request, slug=None):
        return get_object_or_404(Article.objects.live().tags(), slug=slug)

    def filter_articles(self, articles, obj):
        return articles.filter(tags=obj)

    def title(self, obj):
        return f"{obj.name} – {settings.SITE_NAME}"

    def description(self, obj):
        return gettext("Stories about %(tag)s from %(site)s.") % {
            "tag": obj.name,
            "site": settings.SITE_NAME,
        }

    def link(self, obj):
        return absolute_url(reverse("articles:tag", kwargs={"slug": obj.slug}))


class TagAtomFeed(TagFeed):
    feed_type = AtomWithBylines
    url_name = "articles:tag_feed_atom"


class AuthorFeed(ArticleFeed):
    def owner_key(self, obj) -> str:
        return caching.author_key(obj.pk)

    url_name = "articles:author_feed_rss"

    def get_object(self, request, slug=None):
        return get_object_or_404(Article.objects.live().authors(), slug=slug)

    def filter_articles(self, articles, obj):
        return articles.filter(authors=obj)

    def title(self, obj):
        return f"{obj.name} – {settings.SITE_NAME}"

    def description(self, obj):
        return gettext("Stories by %(author)s for %(site)s.") % {
            "author": obj.name,
            "site": settings.SITE_NAME,
        }


class AuthorAtomFeed(AuthorFeed):
    feed_type = AtomWithBylines
    url_name = "articles:author_feed_atom"


class CorrectionFeed(Feed):
    """The newest corrections and clarifications on live articles (the /corrections/ page)."""

    feed_type = Rss201rev2Feed
    url_name = "articles:corrections_feed_rss"
    author_name = settings.SITE_NAME

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        return caching.cacheable(response, {caching.LATEST, caching.CORRECTIONS})

    def title(self):
        return gettext("Corrections – %(site)s") % {"site": settings.SITE_NAME}

    def description(self):
        return gettext("Every correction and clarification to %(site)s's stories.") % {
            "site": settings.SITE_NAME
        }

    def subtitle(self):
        return self.description()

    def link(self):
        return absolute_url(reverse("articles:corrections"))

    def feed_url(self):
        return absolute_url(reverse(self.url_name))

    def items(self):
        return corrections.archive()[:FEED_LENGTH]

    def item_title(self, item) -> str:
        return f"{item.get_kind_display()}: {item.article.headline}"

    def item_description(self, item) -> str:
        # The text is sanitised HTML (links and emphasis), which both formats carry as HTML.
        return item.text

    def item_link(self, item) -> str:
        return absolute_url(f"{item.article.get_absolute_url()}#correction-{item.pk}")

    def item_guid(self, item) -> str:
        host = urlsplit(settings.SITE_URL).hostname
        return f"tag:{host},{item.created_at:%Y-%m-%d}:correction:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at


class CorrectionAtomFeed(CorrectionFeed):
    feed_type = Atom1Feed
    url_name = "articles:corrections_feed_atom"
