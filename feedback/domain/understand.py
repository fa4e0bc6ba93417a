"""What and where, read together from one message: the place first, so that the words of
its name are not taken for the problem."""

from feedback.domain.classify import Classification, Classifier
from feedback.domain.locate import Gazetteer, Location


def understand(
    text: str, classifier: Classifier, gazetteer: Gazetteer
) -> tuple[Classification, Location]:
    location = gazetteer.find_in_text(text)
    return classifier.classify(text, place_words=location.matched_text), location
