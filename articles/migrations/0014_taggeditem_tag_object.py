from django.db import migrations


class Migration(migrations.Migration):
    """An index on taggit's table, which taggit does not declare: each tag's newest tagged
    articles, a short walk for the related stories (ArticleQuerySet.related_to)."""

    dependencies = [
        ("articles", "0013_article_sitemap_page_change"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX articles_taggeditem_tag_object "
            "ON taggit_taggeditem (tag_id, content_type_id, object_id)",
            "DROP INDEX articles_taggeditem_tag_object",
        )
    ]
