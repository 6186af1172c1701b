"""The "Newsletter manager" group: staff who look after the subscriber list without being
superusers. They see and export subscribers, resend a pending subscriber's confirmation, and
unsubscribe a reader by hand; they cannot confirm anyone, erase anyone, or send editions.
Editors may also add newsletters and set their digests (cadence, time, auto-send)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Newsletter manager"
CODENAMES = [
    "view_subscriber",
    "change_subscriber",
    "export_subscriber",
    "view_consentrecord",
    "view_suppression",
    "view_terms",
    "view_newsletter",
]

EDITOR_CODENAMES = ["add_newsletter", "change_newsletter"]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations run; make them now.
    app_config = apps.get_app_config("newsletter")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="newsletter", codename__in=CODENAMES)
    )
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="newsletter", codename__in=EDITOR_CODENAMES
        )
    )


def remove_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=GROUP).delete()
    for editor in Group.objects.filter(name="Editor"):
        editor.permissions.remove(
            *editor.permissions.filter(
                content_type__app_label="newsletter", codename__in=EDITOR_CODENAMES
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0006_editionarticle_live_articles_only"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
