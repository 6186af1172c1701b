import datetime
from pathlib import Path

import pytest

from wire.formats import WireFormatError, newsml, ninjs, plaintext

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_ninjs_2_reads_every_field():
    story = ninjs.parse(fixture("ninjs2.json"))
    assert story.format == "ninjs 2"
    assert story.source == "Example Agency"
    assert story.item_id == "urn:newsml:example-agency.com:20261129:flood-barrier"
    assert story.version == 2
    assert story.headline == "Harbour flood barrier fails its first storm test"
    assert story.standfirst.startswith("Engineers say the gates closed")
    assert story.byline == "Mei Ling Chan"
    assert story.embargo_until == datetime.datetime(2026, 12, 1, 6, tzinfo=datetime.UTC)
    assert story.first_created == datetime.datetime(2026, 11, 29, 7, 40, tzinfo=datetime.UTC)
    assert story.subjects == ["Flooding", "Infrastructure", "harbour"]
    assert (story.language, story.urgency, story.pub_status) == ("en", 3, "usable")
    assert story.pictures[0].href == "barrier.jpg"
    assert story.pictures[0].alt_text == "Sea water pours over the harbour wall at high tide"


def test_ninjs_body_goes_through_the_sanitiser():
    story = ninjs.parse(fixture("ninjs2.json"))
    assert "<script>" not in story.body
    assert (
        "<blockquote><p>“We were told it would hold,” said shopkeeper Ann O'Neil.</p>" in story.body
    )


def test_ninjs_3_reads_camel_case_and_value_lists():
    story = ninjs.parse(fixture("ninjs3.json"))
    assert story.format == "ninjs 3"
    assert story.source == "South China Morning Post"
    assert story.headline == "Dock workers walk out over automation plan"
    assert story.standfirst == "The strike is the port's first in twenty years."
    assert story.body.startswith("<p>Hundreds of dock workers walked out at dawn.</p>")
    assert story.byline == "Alex Wong"
    assert story.embargo_until == datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)
    assert story.version_created == datetime.datetime(2026, 11, 29, 1, 5, tzinfo=datetime.UTC)


def test_ninjs_3_without_uri_is_refused():
    data = fixture("ninjs3.json").replace(b'"uri"', b'"url"')
    with pytest.raises(WireFormatError, match="must have a `uri`"):
        ninjs.parse(data)


def test_ninjs_kill_needs_no_body():
    story = ninjs.parse(
        b'{"uri": "a", "version": "3", "pubStatus": "canceled", '
        b'"headlines": [{"value": "KILL"}], "copyrightHolder": {"name": "AP"}}'
    )
    assert story.is_kill


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (fixture("malformed.json"), "JSON is malformed"),
        (b"[1, 2]", "JSON object"),
        (b'{"uri": "a", "copyrightholder": "AP", "body_html": "<p>x</p>"}', "no headline"),
        (b'{"uri": "a", "copyrightholder": "AP", "headline": "H"}', "no body"),
        (b'{"uri": "a", "headline": "H", "body_html": "<p>x</p>"}', "which agency"),
        (
            b'{"uri": "a", "copyrightholder": "AP", "headline": "H", "body_html": "<p>x</p>",'
            b' "version": "two"}',
            "not a whole number",
        ),
        (
            b'{"uri": "a", "copyrightholder": "AP", "headline": "H", "body_html": "<p>x</p>",'
            b' "embargoed": "soon"}',
            "not a date",
        ),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_bad_ninjs_is_refused_with_a_reason(data, reason):
    with pytest.raises(WireFormatError, match=reason):
        ninjs.parse(data)


def test_newsml_with_nitf_body():
    story = newsml.parse(fixture("newsml_nitf.xml"))
    assert story.format == "NewsML-G2"
    assert story.source == "Agency Example"
    assert story.item_id == "urn:newsml:agency.example:20261129:rail-fares"
    assert story.version == 3
    assert story.headline == "Rail fares to rise 4% in January"
    assert story.standfirst == "Commuters face the steepest rise in a decade."
    assert story.credit == "Agency Example"
    assert story.byline == "Sam Reed"
    assert story.urgency == 2
    assert story.subjects == ["Transport", "rail"]
    assert story.embargo_until == datetime.datetime(2026, 11, 29, 12, tzinfo=datetime.UTC)
    assert "<h2>Commuters react</h2>" in story.body
    assert "<blockquote><p>“It is daylight robbery,” said one passenger" in story.body
    assert "<em>the largest</em>" in story.body
    assert "hl1" not in story.body


def test_newsml_with_xhtml_body_is_sanitised():
    story = newsml.parse(fixture("newsml_xhtml.xml"))
    assert story.headline == "Museum returns looted bronzes"
    assert "<p>The museum returned 21 bronzes on Friday.</p>" in story.body
    assert "onclick" not in story.body and "tracker.example" not in story.body
    assert 'href="https://example.org/report"' in story.body
    assert story.standfirst == "The museum returned 21 bronzes on Friday."


def test_newsml_kill_is_read_as_canceled():
    story = newsml.parse(fixture("newsml_kill.xml"))
    assert story.pub_status == "canceled" and story.is_kill and story.version == 4


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_hostile_xml_is_refused_without_expanding_anything(name):
    with pytest.raises(WireFormatError, match="DTD or entities"):
        newsml.parse(fixture(name))


def test_malformed_xml_is_refused():
    with pytest.raises(WireFormatError, match="XML is malformed"):
        newsml.parse(fixture("malformed.xml"))


def test_xml_that_is_not_a_news_item_is_an_unknown_format():
    with pytest.raises(WireFormatError, match="unknown format"):
        newsml.parse(b"<rss><channel/></rss>")


def test_plain_text_splits_paragraphs_keeps_quotes_and_drops_the_sign_off():
    story = plaintext.parse(fixture("pasted_email.txt"), source="Island Times")
    assert story.headline == "Ferry operator cuts night services"
    assert story.body == (
        "<p>The island's only ferry operator will stop sailing after 10pm from next month, "
        "it said on Friday.</p>"
        "<p>“We simply cannot find the crews,” said the company's director, Ruth Mbeki. "
        "‘It's not about money.’</p>"
        "<p>Residents say the change will leave shift workers stranded.</p>"
    )
    assert story.source == "Island Times"


def test_plain_text_takes_the_editors_headline():
    story = plaintext.parse(
        b"First paragraph of the story.\nIt goes on.\n\nSecond.", source="X", headline="Given"
    )
    assert story.headline == "Given"
    assert story.body.startswith("<p>First paragraph of the story. It goes on.</p>")


def test_plain_text_needs_a_source():
    with pytest.raises(WireFormatError, match="give the source"):
        plaintext.parse(fixture("pasted_email.txt"))


def test_the_same_plain_text_gets_the_same_item_id():
    first = plaintext.parse(fixture("pasted_email.txt"), source="X")
    again = plaintext.parse(fixture("pasted_email.txt"), source="X")
    assert first.item_id == again.item_id


def test_ninjs_keywords_given_as_text_are_not_split_into_letters():
    story = ninjs.parse(
        b'{"uri": "a", "copyrightholder": "AP", "headline": "H", "body_html": "<p>x</p>",'
        b' "keywords": "harbour", "subject": {"name": "Floods"}}'
    )
    assert story.subjects == []
