"""E-mail and Teams notifications, preferences, where messages go."""
