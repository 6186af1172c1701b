from django.urls import path

from . import views

app_name = "newsletter"

urlpatterns = [
    path("", views.signup, name="signup"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("manage/<str:token>/", views.manage, name="manage"),
    # Newsletter slugs are checked against the words above (Newsletter.clean).
    path("<slug:slug>/", views.archive, name="archive"),
    path("<slug:slug>/<int:pk>/", views.edition, name="edition"),
]

# The terms and privacy pages sit at the site's root (/terms/, /privacy/) and outside the
# namespace: every page links to them ({% url 'terms' %}). newsroom/urls.py includes them at "".
root_urlpatterns = [
    path("terms/", views.terms, name="terms"),
    path("privacy/", views.privacy, name="privacy"),
]
