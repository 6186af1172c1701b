"""Load the demo newsroom: sections, authors, stories with hero images, and two staff logins.

Safe to run again: everything is found by its slug or username and brought back to its demo
state, so nothing is duplicated. Existing logins keep their passwords unless asked otherwise.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from articles import demo_content, workflow
from articles.demo_content import artwork
from articles.models import Article, Author, Byline, Correction, Image, Section

# Used only when the group has no permissions yet: the workflow migration's own set wins.
FALLBACK_PERMISSIONS = {
    "Editor": [
        ("articles", "article", ("add", "change", "delete", "view")),
        ("articles", "byline", ("add", "change", "delete", "view")),
        ("articles", "image", ("add", "change", "delete", "view")),
        ("articles", "author", ("add", "change", "view")),
        ("articles", "section", ("add", "change", "view")),
        ("taggit", "tag", ("add", "change", "delete", "view")),
    ],
    "Reporter": [
        ("articles", "article", ("add", "change", "view")),
        ("articles", "byline", ("add", "change", "delete", "view")),
        ("articles", "image", ("add", "change", "view")),
        ("articles", "author", ("view",)),
        ("articles", "section", ("view",)),
        ("taggit", "tag", ("add", "view")),
    ],
}
LOGINS = {"editor": "Editor", "reporter": "Reporter"}


def render_body(items: list) -> str:
    """Story body items as article HTML: paragraphs, attributed block quotes, subheadings."""
    blocks = []
    for item in items:
        if isinstance(item, str):
            blocks.append(f"<p>{item}</p>")
        elif item[0] == "quote":
            _, text, attribution = item
            blocks.append(
                f"<figure><blockquote><p>“{text}”</p></blockquote>"
                f"<figcaption>{escape(attribution)}</figcaption></figure>"
            )
        elif item[0] == "h2":
            blocks.append(f"<h2>{item[1]}</h2>")
    return "\n".join(blocks)


class Command(BaseCommand):
    help = (
        "Load the demo newsroom (5 sections, 8 authors, the demo stories, images, tags) and "
        "the 'editor' and 'reporter' staff logins. Running it again duplicates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--language",
            help="The demo's language: "
            + ", ".join(sorted(demo_content.LANGUAGES))
            + " (default: the site's LANGUAGE_CODE when the demo is written in it, else en).",
        )
        passwords = parser.add_mutually_exclusive_group()
        passwords.add_argument(
            "--password",
            help="Set this password on both demo logins (for repeatable local runs).",
        )
        passwords.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give existing demo logins new generated passwords.",
        )

    def handle(self, *args, password=None, reset_passwords=False, language=None, **options):
        demo = self.demo_set(language)
        stories = demo.stories
        problems = [
            problem for story in stories for problem in demo_content.story_problems(story, demo)
        ]
        slugs = [story["slug"] for story in stories]
        problems += [
            f"{slug}: slug used twice" for slug in sorted(set(slugs)) if slugs.count(slug) > 1
        ]
        if problems:
            raise CommandError("The demo stories need fixing:\n  " + "\n  ".join(problems))
        if password is not None:
            try:
                validate_password(password)
            except ValidationError as error:
                raise CommandError("--password: " + " ".join(error.messages)) from error

        now = timezone.now()
        with transaction.atomic():
            sections = self.load_sections(demo)
            authors = self.load_authors(demo)
            logins = self.load_logins(demo, authors, password, reset_passwords)
            created = sum(self.load_story(story, sections, authors, now) for story in stories)
        self.report(demo, created, logins)

    def demo_set(self, language: str | None) -> demo_content.DemoSet:
        """The demo in the language asked for, or in the site's own when it is written in it."""
        if language is None:
            language = settings.LANGUAGE_CODE.split("-")[0].lower()
            if language not in demo_content.LANGUAGES:
                language = "en"
        language = language.split("-")[0].lower()
        if language not in demo_content.LANGUAGES:
            raise CommandError(
                f"--language: there is no demo in {language!r}; there is one in "
                + ", ".join(sorted(demo_content.LANGUAGES))
                + "."
            )
        return demo_content.LANGUAGES[language]

    def load_sections(self, demo: demo_content.DemoSet) -> dict[str, Section]:
        return {
            data["slug"]: Section.objects.update_or_create(
                slug=data["slug"],
                defaults={key: data[key] for key in ("name", "position", "description")},
            )[0]
            for data in demo.sections
        }

    def load_authors(self, demo: demo_content.DemoSet) -> dict[str, Author]:
        authors = {}
        for data in demo.authors:
            author, _ = Author.objects.update_or_create(
                slug=data["slug"], defaults={"name": data["name"], "bio": data["bio"]}
            )
            if author.photo is None:
                author.photo = Image.objects.create(
                    file=ContentFile(
                        artwork.portrait_jpeg(data["name"]), name=f"{author.slug}.jpg"
                    ),
                    alt_text=demo.portrait_alt.format(name=data["name"]),
                    credit=demo.portrait_credit,
                )
                author.save(update_fields=["photo"])
            authors[author.slug] = author
        return authors

    def load_logins(self, demo, authors, password, reset_passwords) -> list[tuple[str, str | None]]:
        """Create or refresh the demo staff logins; returns (username, new password or None)."""
        User = get_user_model()
        logins = []
        for data in demo.authors:
            username = data.get("login")
            if not username:
                continue
            group, _ = Group.objects.get_or_create(name=LOGINS[username])
            if not group.permissions.exists():
                group.permissions.set(self.fallback_permissions(group.name))
            first_name, _, last_name = data["name"].partition(" ")
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first_name,
                    "last_name": last_name,
                    "email": f"{username}@example.com",
                },
            )
            new_password = password
            if new_password is None and (created or reset_passwords):
                new_password = secrets.token_urlsafe(12)
            if new_password is not None:
                user.set_password(new_password)
            user.is_staff = True
            user.is_active = True
            user.save()
            user.groups.add(group)
            author = authors[data["slug"]]
            if author.user_id != user.pk:
                Author.objects.filter(user=user).exclude(pk=author.pk).update(user=None)
                author.user = user
                author.save(update_fields=["user"])
            logins.append((username, new_password))
        return logins

    def fallback_permissions(self, group_name: str) -> list[Permission]:
        permissions = []
        for app_label, model, actions in FALLBACK_PERMISSIONS[group_name]:
            codenames = [f"{action}_{model}" for action in actions]
            permissions += Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
        return permissions

    def load_story(self, story: dict, sections, authors, now) -> bool:
        """Create or update one article; returns True when it was new."""
        status = story.get("status", Article.Status.PUBLISHED)
        hours = timedelta(hours=story["age_hours"])
        publish_at = first_published_at = None
        if status == Article.Status.PUBLISHED:
            publish_at = first_published_at = now - hours
        elif status == Article.Status.SCHEDULED:
            publish_at = now - hours  # age_hours is negative: the future
        note = story.get("note") or {}
        article, created = Article.objects.update_or_create(
            slug=story["slug"],
            defaults={
                "headline": story["headline"],
                "standfirst": story["standfirst"],
                "body": render_body(story["body"]),
                "section": sections[story["section"]],
                "status": status,
                "publish_at": publish_at,
                "first_published_at": first_published_at,
            },
        )
        self.load_hero_image(article, story)
        for position, slug in enumerate(story["authors"]):
            Byline.objects.update_or_create(
                article=article, author=authors[slug], defaults={"position": position}
            )
        article.bylines.exclude(author__slug__in=story["authors"]).delete()
        article.tags.set(story["tags"])
        # The demo's timestamps tell its story: only articles with an update note show one.
        updated_at = first_published_at or now
        if first_published_at and note.get("kind") == Correction.Kind.UPDATE:
            updated_at = first_published_at + min(hours / 2, timedelta(hours=6))
        Article.objects.filter(pk=article.pk).update(updated_at=updated_at)
        # A re-run replaces the demo's own record (a queryset delete: no history to keep).
        Correction.objects.filter(article=article).delete()
        if note:
            Correction.objects.create(
                article=article, kind=note["kind"], text=note["text"], created_at=updated_at
            )
        if status == Article.Status.SCHEDULED:
            # Readers see it on time through live(); the queued bookkeeping flips its status
            # and emails its authors then, as for an article scheduled in the admin.
            transaction.on_commit(lambda: workflow.enqueue_bookkeeping(publish_at))
        return created

    def load_hero_image(self, article: Article, story: dict) -> None:
        data = story["image"]
        words = {
            "alt_text": data["alt"],
            "caption": data.get("caption", ""),
            "credit": data.get("credit", ""),
        }
        image = article.hero_image
        if image is None:
            image = Image.objects.create(
                file=ContentFile(
                    artwork.hero_jpeg(story["slug"], data["palette"]), name=f"{story['slug']}.jpg"
                ),
                **words,
            )
            Article.objects.filter(pk=article.pk).update(hero_image=image)
        elif any(getattr(image, field) != value for field, value in words.items()):
            for field, value in words.items():
                setattr(image, field, value)
            image.save(update_fields=list(words))

    def report(self, demo: demo_content.DemoSet, created: int, logins) -> None:
        stories = demo.stories
        story_count = len(stories)
        statuses = dict.fromkeys(Article.Status.values, 0)
        for status in Article.objects.filter(
            slug__in=[story["slug"] for story in stories]
        ).values_list("status", flat=True):
            statuses[status] += 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {len(demo.sections)} sections, "
                f"{len(demo.authors)} authors, {story_count} articles "
                f"({created} new, {story_count - created} updated)."
            )
        )
        self.stdout.write(
            "Articles: "
            + ", ".join(
                f"{count} {Article.Status(status).label.lower()}"
                for status, count in statuses.items()
                if count
            )
            + "."
        )
        tags = {tag for story in stories for tag in story["tags"]}
        self.stdout.write(
            f"Tags: {len(tags)}. Images: {story_count} hero images, "
            f"{len(demo.authors)} author portraits."
        )
        self.stdout.write("Staff logins:")
        for username, password in logins:
            if password is None:
                self.stdout.write(f"  {username:<9} password unchanged (use --reset-passwords)")
            else:
                self.stdout.write(f"  {username:<9} password: {password}")
