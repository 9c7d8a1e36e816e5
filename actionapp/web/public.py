"""Public blueprint: action pages, the composer and the thank-you page."""

from flask import Blueprint

bp = Blueprint("public", __name__)
