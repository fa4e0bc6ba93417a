"""feedback: citizen service-delivery feedback for Basra.

`from feedback import create_app` builds the Flask app. It is imported lazily, so that the
plain-Python domain (feedback.domain) can be used and tested without Flask being loaded."""


def __getattr__(name: str):
    if name == "create_app":
        from feedback.app import create_app

        return create_app
    raise AttributeError(f"module 'feedback' has no attribute {name!r}")
