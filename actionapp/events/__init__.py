"""Letter-writing events: packs for hosts, their reports and the organisers' review."""
