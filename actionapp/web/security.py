"""Security headers for every response."""

from flask import Response, current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
)


def apply_security_headers(response: Response) -> Response:
    """Add CSP, nosniff, referrer and framing rules unless a view set its own CSP."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # Supporters of sensitive cases: never tell another site which action they came from.
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    # Behind the configured proxy the site is served over HTTPS (README), even when the proxy
    # does not say so in X-Forwarded-Proto; browsers ignore the header over plain HTTP.
    if request.is_secure or current_app.config["PROXY_COUNT"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
