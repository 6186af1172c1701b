from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.generic import ListView
from taggit.models import Tag

from .models import Article, Author

PER_PAGE = 20


def home(request):
    live = Article.objects.live().for_cards()
    latest = list(live.newest_first()[:13])
    lead, latest = (latest[0], latest[1:]) if latest else (None, [])
    shown = {article.pk for article in latest} | ({lead.pk} if lead else set())
    by_section: dict[int, list[Article]] = {}
    others = live.exclude(pk__in=shown).latest_per_section(4)
    for article in others.order_by("section__position", "section__name", "-publish_at"):
        by_section.setdefault(article.section_id, []).append(article)
    section_blocks = [(articles[0].section, articles) for articles in by_section.values()]
    return render(
        request,
        "articles/home.html",
        {"lead": lead, "latest": latest, "section_blocks": section_blocks},
    )


def article_detail(request, slug: str):
    article = get_object_or_404(
        Article.objects.live().for_cards().prefetch_related("tags"), slug=slug
    )
    related = Article.objects.live().for_cards().related_to(article)
    context = {"article": article, "related": related, "current_section_slug": article.section.slug}
    return render(request, "articles/article_detail.html", context)


class ArticleListView(ListView):
    """Newest-first, paginated list of live articles belonging to one thing (section, tag…)."""

    paginate_by = PER_PAGE
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    kind = ""

    def get_owner(self):
        raise NotImplementedError

    def filter_articles(self, queryset):
        raise NotImplementedError

    def get_queryset(self):
        self.owner = self.get_owner()
        return self.filter_articles(Article.objects.live().for_cards().newest_first())

    def get_context_data(self, **kwargs):
        return super().get_context_data(owner=self.owner, kind=self.kind, **kwargs)


class SectionView(ArticleListView):
    kind = "section"

    def get_owner(self):
        # The navigation already holds every section; reuse it instead of another query.
        from newsroom.context_processors import site

        for section in site(self.request)["nav_sections"]:
            if section.slug == self.kwargs["slug"]:
                return section
        raise Http404("No such section.")

    def filter_articles(self, queryset):
        return queryset.filter(section=self.owner)

    def get_context_data(self, **kwargs):
        return super().get_context_data(current_section_slug=self.owner.slug, **kwargs)


class TagView(ArticleListView):
    kind = "tag"

    def get_owner(self):
        return get_object_or_404(Tag, slug=self.kwargs["slug"])

    def filter_articles(self, queryset):
        return queryset.filter(tags=self.owner)


class AuthorView(ArticleListView):
    kind = "author"
    template_name = "articles/author_detail.html"

    def get_owner(self):
        return get_object_or_404(Author.objects.select_related("photo"), slug=self.kwargs["slug"])

    def filter_articles(self, queryset):
        return queryset.filter(authors=self.owner)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without context processors' database work: the database may be what failed.
    from django.http import HttpResponseServerError
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"SITE_NAME": settings.SITE_NAME}))
