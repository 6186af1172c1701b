import django.contrib.postgres.search
from django.db import migrations

import articles.models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_revisions_and_slug_redirects"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="article",
            index=articles.models.SearchVectorIndex(
                fields=["search_vector"], name="article_search_vector"
            ),
        ),
    ]
