"""The Microsoft Graph v1.0 subset served under /v1.0/."""
