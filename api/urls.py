from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("", views.docs, name="docs"),
    path("openapi.json", views.openapi_json, name="openapi"),
    path("ninjs/articles/", views.article_list, name="articles"),
    # An id, or the article's ninjs `uri` (an absolute URL, so `path`).
    path("ninjs/articles/<path:ident>", views.article_detail, name="article"),
]
