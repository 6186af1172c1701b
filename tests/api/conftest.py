import pytest
from django.utils import timezone

from tests.factories import make_article, make_author, make_image, make_section


@pytest.fixture
def story(db):
    """A live article with everything the API carries: two bylines, tags, a hero photo."""
    photo = make_image(caption="The bridge at dusk.", credit="Jane Doe / Agency")
    return make_article(
        "Council approves the river crossing",
        section=make_section("News"),
        authors=[make_author("Ana Silva"), make_author("Ben Okafor")],
        tags=["Transport", "Council"],
        hero_image=photo,
        standfirst="The vote ends a decade of argument.",
        body="<p>The council voted on Tuesday &amp; agreed.<br>Work starts soon.</p>"
        "<blockquote><p>“It is a good day,” the mayor said.</p></blockquote>",
        publish_at=timezone.now() - timezone.timedelta(hours=1),
    )
