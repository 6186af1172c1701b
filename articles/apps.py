from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self) -> None:
        # Deferred as Django requires: it imports this module before any model exists, and
        # the receivers need the models. Importing them connects nothing; this does, in the
        # order listed (the search vector is recomputed before pages are purged).
        from . import search, signals

        for signal, receiver, sender in [*search.indexing.RECEIVERS, *signals.RECEIVERS]:
            signal.connect(receiver, sender=sender)
