"""Microsoft 365: the Graph gateway and the service account's sign-in (MSAL)."""
