"""The shipped keyword lists keep their one rule: a problem or subject word belongs to one
category, else a message using it would be a coin toss; generic words are shared on purpose."""

from collections import defaultdict

from feedback.domain.text import keyword_key
from feedback.reference_data import read_yaml
from feedback.services.reference_changes import SHARED_KEYWORD_LISTS


def test_every_owned_keyword_belongs_to_one_category():
    owners = defaultdict(set)
    for category in read_yaml("categories.yaml"):
        for name, listed in category["keywords"].items():
            if name in SHARED_KEYWORD_LISTS:
                continue
            for word in listed:
                owners[keyword_key(word)].add(category["code"])
    assert {key: codes for key, codes in owners.items() if len(codes) > 1} == {}


def test_every_keyword_is_text():
    """YAML reads a bare off, no or yes as a boolean: such words must be quoted."""
    for category in read_yaml("categories.yaml"):
        for listed in category["keywords"].values():
            assert all(isinstance(word, str) for word in listed), category["code"]
