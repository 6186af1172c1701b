"""The default newsletter ("The Daily Briefing"), every current subscriber on it, and the
Editor group's right to compose and send editions. Reporters get nothing here."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SLUG = "daily-briefing"
EDITOR_CODENAMES = [
    "view_newsletter",
    "add_edition",
    "change_edition",
    "delete_edition",
    "view_edition",
    "send_edition",
    "add_editionarticle",
    "change_editionarticle",
    "delete_editionarticle",
    "view_editionarticle",
]


def forwards(apps, schema_editor):
    Newsletter = apps.get_model("newsletter", "Newsletter")
    Subscriber = apps.get_model("newsletter", "Subscriber")
    Subscription = apps.get_model("newsletter", "Subscription")
    newsletter, _ = Newsletter.objects.get_or_create(
        slug=SLUG,
        defaults={
            "name": "The Daily Briefing",
            "description": "Our latest news, every morning.",
            "is_default": True,
        },
    )
    Subscription.objects.bulk_create(
        [
            Subscription(subscriber_id=pk, newsletter=newsletter)
            for pk in Subscriber.objects.exclude(status="unsubscribed").values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
    )

    # Permissions are normally created after all migrations run; make them now.
    app_config = apps.get_app_config("newsletter")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="newsletter", codename__in=EDITOR_CODENAMES
        )
    )


def backwards(apps, schema_editor):
    apps.get_model("newsletter", "Newsletter").objects.filter(slug=SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0003_editions"),
        ("articles", "0006_editorial_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
