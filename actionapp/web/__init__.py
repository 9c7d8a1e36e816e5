"""What serves every page: blueprints, headers, errors, sessions, page cache, i18n."""
