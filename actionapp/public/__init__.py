"""Public blueprint: action pages, the composer and the thank-you page."""
