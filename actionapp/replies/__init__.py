"""Did they reply? Supporters tell whether an official answered their letter."""
