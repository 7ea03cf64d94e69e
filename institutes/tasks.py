"""Background jobs of the institutes app. It has none of its own today:
its emails (the password reset) go through the outbox, core.outbox.notify."""
