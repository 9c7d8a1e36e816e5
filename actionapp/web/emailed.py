"""Email-link blueprint: pages reached from links in emails (confirm, unsubscribe, replies)."""

from flask import Blueprint

bp = Blueprint("email", __name__)
