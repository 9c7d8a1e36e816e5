"""The ceiling: a minimal Flask page under the same server."""

from flask import Flask


def create_app() -> Flask:
    """Return an app with one tiny page."""
    app = Flask(__name__)

    @app.get("/")
    def hello():
        return "<!doctype html><title>hello</title><p>hello</p>"

    return app
