"""The tiny fixture site builds in process and yields a concept page."""

from conftest import BuildResult


def test_fixture_site_builds_concept_pages(fixture_build: BuildResult) -> None:
    """A published entry gets a page; a draft does not."""
    assert (fixture_build.site / "glossary/alpha/index.html").exists()
    assert not (fixture_build.site / "glossary/delta/index.html").exists()
