"""Gunicorn settings shipped with the app: ``gunicorn -c python:actionapp.gunicorn_conf ...``."""

# The access log masks capability tokens (confirmation, thank-you, print and posted links).
logger_class = "actionapp.web.accesslog.AccessLogger"
accesslog = "-"
