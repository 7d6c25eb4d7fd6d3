"""pivot's directory: import, look-ups, identity matching and account links."""
