from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import caching, feeds, views
from .sitemaps import SITEMAPS

# Sitemaps list every live article, section, tag and author.
cached_sitemap = caching.cached_page(lambda request, **kwargs: {caching.LATEST, caching.SITEMAPS})

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tag/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("author/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("search/", views.search_results, name="search"),
    path("corrections/", views.CorrectionsView.as_view(), name="corrections"),
    path("corrections/rss/", feeds.CorrectionFeed(), name="corrections_feed_rss"),
    path("corrections/atom/", feeds.CorrectionAtomFeed(), name="corrections_feed_atom"),
    path("feeds/rss/", feeds.ArticleFeed(), name="feed_rss"),
    path("feeds/atom/", feeds.ArticleAtomFeed(), name="feed_atom"),
    path("section/<slug:slug>/rss/", feeds.SectionFeed(), name="section_feed_rss"),
    path("section/<slug:slug>/atom/", feeds.SectionAtomFeed(), name="section_feed_atom"),
    path("tag/<slug:slug>/rss/", feeds.TagFeed(), name="tag_feed_rss"),
    path("tag/<slug:slug>/atom/", feeds.TagAtomFeed(), name="tag_feed_atom"),
    path("author/<slug:slug>/rss/", feeds.AuthorFeed(), name="author_feed_rss"),
    path("author/<slug:slug>/atom/", feeds.AuthorAtomFeed(), name="author_feed_atom"),
    path("sitemap-news.xml", views.news_sitemap, name="news_sitemap"),
    path(
        "sitemap.xml",
        cached_sitemap(views.sitemap_index),
        name="sitemap",
    ),
    path("sitemap-articles.xml", cached_sitemap(views.article_sitemap), name="sitemap_articles"),
    path(
        "sitemap-<section>.xml",
        cached_sitemap(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("preview/<str:token>/", views.shared_preview, name="shared_preview"),
]
