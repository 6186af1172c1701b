"""Who may see, edit and move what, in the admin and its previews.

Reporters see and edit their own articles (created, or written under one of their bylines)
while they are drafts; editors (the `edit_any_article` permission) see and edit everything.
Every admin path asks these functions, whatever the buttons show.
"""

from django.db.models import Q, QuerySet

from .models import Article, Author, Byline, Image

EDIT_ANY = "articles.edit_any_article"


def is_own(user, article: Article) -> bool:
    """The user created the article or writes under one of its bylines."""
    if not user.is_authenticated:
        return False
    if article.created_by_id == user.pk:
        return True
    return Byline.objects.filter(article=article, author__user=user).exists()


def owned_by(user, queryset: QuerySet | None = None) -> QuerySet:
    """The user's own articles: ones they created or write under a byline of."""
    queryset = Article.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(
        Q(created_by=user) | Q(pk__in=Byline.objects.filter(author__user=user).values("article_id"))
    )


def visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Articles a staff user may open in the admin: all for editors, their own for reporters."""
    queryset = Article.objects.all() if queryset is None else queryset
    if user.has_perm(EDIT_ANY):
        return queryset
    return owned_by(user, queryset)


def can_see(user, article: Article) -> bool:
    """The user may open this article in the admin (and preview it)."""
    if not (user.has_perm("articles.view_article") or user.has_perm("articles.change_article")):
        return False
    return user.has_perm(EDIT_ANY) or is_own(user, article)


def can_edit(user, article: Article) -> bool:
    """Editors edit everything, live included; a reporter edits only their own drafts."""
    if not user.has_perm("articles.change_article"):
        return False
    if user.has_perm(EDIT_ANY):
        return True
    return article.status == Article.Status.DRAFT and is_own(user, article)


def can_edit_image(user, image: Image) -> bool:
    """An image changes only with the pages that show it: a reporter may not alter the photo,
    alt text or caption of an article they cannot edit (a live one, someone else's), nor an
    author's portrait; editors may."""
    if not user.has_perm("articles.change_image"):
        return False
    if user.has_perm(EDIT_ANY):
        return True
    if Author.objects.filter(photo=image).exists():
        return False
    return all(can_edit(user, article) for article in Article.objects.filter(hero_image=image))


def _open_to(user, articles: QuerySet) -> QuerySet:
    """Of `articles`, the ones this user may know about: live, or visible to them."""
    return articles.filter(
        Q(pk__in=Article.objects.live().values("pk")) | Q(pk__in=visible_to(user).values("pk"))
    )


def images_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Images a staff user may see in the admin and its hero-image autocomplete.

    Editors see all. A reporter sees an image only if a live article or one of their own
    shows it, an author's portrait uses it, or nothing uses it yet (just uploaded): the alt
    text and caption of someone else's unpublished photo can give a story away.
    """
    queryset = Image.objects.all() if queryset is None else queryset
    if user.has_perm(EDIT_ANY):
        return queryset
    used = Article.objects.filter(hero_image__isnull=False)
    return queryset.filter(
        Q(pk__in=_open_to(user, used).values("hero_image"))
        | Q(pk__in=Author.objects.filter(photo__isnull=False).values("photo"))
        | ~Q(pk__in=used.values("hero_image"))
    )


def tags_visible_to(user, queryset: QuerySet) -> QuerySet:
    """Tags a staff user may see in the admin: for a reporter, those a live article or one of
    their own uses, or that no article uses; a tag only on someone's draft names its story."""
    if user.has_perm(EDIT_ANY):
        return queryset
    tagged = Article.tags.through.objects.filter(
        content_type__app_label="articles", content_type__model="article"
    )
    open_articles = _open_to(user, Article.objects.all()).values("pk")
    return queryset.filter(
        Q(pk__in=tagged.filter(object_id__in=open_articles).values("tag_id"))
        | ~Q(pk__in=tagged.values("tag_id"))
    )
