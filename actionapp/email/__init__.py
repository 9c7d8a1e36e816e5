"""Email: the outbox and its worker, messages, the email channels, update emails."""
