"""Supporters' personal data: removal on schedule, access and erasure requests."""
