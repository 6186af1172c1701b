"""The articles admin. Each model's ModelAdmin is in a module of its own; this registers them."""

from django.contrib import admin
from taggit.models import Tag

from ..models import Article, Author, CorrectionRemoval, Image, Section
from .articles import ArticleAdmin
from .images import ImageAdmin
from .removals import CorrectionRemovalAdmin
from .taxonomy import AuthorAdmin, SectionAdmin, TagAdmin

admin.site.register(Section, SectionAdmin)
admin.site.register(Author, AuthorAdmin)
admin.site.register(Image, ImageAdmin)
if admin.site.is_registered(Tag):
    admin.site.unregister(Tag)  # taggit's own admin merges without redirecting old pages
admin.site.register(Tag, TagAdmin)
admin.site.register(Article, ArticleAdmin)
admin.site.register(CorrectionRemoval, CorrectionRemovalAdmin)
