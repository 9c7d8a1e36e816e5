"""The floor for a write: the smallest form post that records something with this stack.

Flask-WTF (CSRF and a three-field form), one row inserted with SQLAlchemy Core in its own
transaction on the same database (WAL on SQLite, as the app runs it), and a 303 redirect.
Letter submissions are compared with it as well as with the minimal page.
"""

import os

from flask import Flask, redirect
from flask_wtf import FlaskForm
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    func,
    insert,
)
from wtforms import StringField
from wtforms.validators import DataRequired, Length

metadata = MetaData()
notes = Table(
    "bench_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120)),
    Column("email", String(254)),
    Column("city", String(120)),
    Column("created_at", DateTime, server_default=func.now()),
)


class NoteForm(FlaskForm):
    """Three short fields."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = StringField("Email", validators=[Length(max=254)])
    city = StringField("City", validators=[DataRequired(), Length(max=120)])


def create_app(secret_key: str | None = None, database_url: str | None = None) -> Flask:
    """Return an app with one form post that inserts a row (the bench creates the table)."""
    app = Flask(__name__)
    app.config["SECRET_KEY"] = secret_key or os.environ["ACTIONAPP_SECRET_KEY"]
    engine = create_engine(database_url or os.environ["ACTIONAPP_SQLALCHEMY_DATABASE_URI"])
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def wal(connection, _record):
            connection.execute("PRAGMA busy_timeout = 10000")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")

    @app.post("/write")
    def write():
        form = NoteForm()
        if not form.validate():
            return "invalid", 422
        with engine.begin() as connection:
            connection.execute(
                insert(notes), {"name": form.name.data, "email": form.email.data,
                                "city": form.city.data}
            )  # fmt: skip
        return redirect("/", 303)

    return app
