"""Pure rules, no I/O: availability, automap, claim rules, recipients, views, time labels, ics."""
